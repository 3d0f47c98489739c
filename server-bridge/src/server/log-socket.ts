import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { isSettled, type LogStreamMessage, TrainingLogStreamQuery, trainingStates } from '@emkit/shared';
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { BridgeContext } from '../context.js';
import { readLogChunk } from '../runtime/logs.js';
import { HttpError } from './errors.js';

/** Read at most this much per message: a flood reaches the client in pieces, not as one huge string. */
const CHUNK_BYTES = 256 * 1024;
/** Don't read on while this much is still unsent: memory stays bounded however fast the training prints. */
const MAX_BUFFERED_BYTES = 2 * 1024 * 1024;
/** A fallback look, in case a file-system event is missed (network file systems send none). */
const POLL_MS = 500;

/**
 * One rank's log, live: everything from `offset`, then each append as it lands
 * (inotify via fs.watch), then `end` once the training has settled and the file is
 * read to its end. The file is the only buffer, so a slow client costs the bridge
 * no more than MAX_BUFFERED_BYTES.
 */
export function serveTrainingLog(bridge: BridgeContext, socket: WebSocket, request: FastifyRequest): void {
  const { id } = request.params as { id: string };
  const query = request.query as TrainingLogStreamQuery;
  const rank = query.rank ?? (TrainingLogStreamQuery.properties.rank.default as number);
  let offset = query.offset ?? (TrainingLogStreamQuery.properties.offset.default as number);
  let file: string;
  try {
    const training = bridge.trainings.find(id);
    bridge.trainings.checkRank(training, rank);
    file = bridge.trainings.logFile(training, rank);
  } catch (error) {
    const message = error instanceof HttpError ? error.message : 'the log is not available';
    socket.close(error instanceof HttpError && error.status === 404 ? 4404 : 1011, message.slice(0, 120));
    return;
  }

  let closed = false;
  let wake: (() => void) | undefined;
  const nudge = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(file), (_event, name) => {
      if (!name || name === basename(file)) nudge();
    });
    watcher.on('error', () => {});
  } catch {
    // no watcher: the poll below still delivers, a little later
  }
  const onEvent = (event: { resource: string; id: string }) => {
    if (event.resource === 'trainings' && event.id === id) nudge();
  };
  bridge.store.events.bus.on('event', onEvent);
  socket.on('close', () => {
    closed = true;
    watcher?.close();
    bridge.store.events.bus.off('event', onEvent);
    nudge();
  });
  socket.on('message', () => {});

  const send = (message: LogStreamMessage) => socket.send(JSON.stringify(message));
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  void (async () => {
    while (!closed) {
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      // the state is read before the file, so "settled and nothing more to read" can't miss a last write
      const training = bridge.store.trainings.get(id);
      const settled = !training || isSettled(trainingStates, training.state);
      const chunk = await readLogChunk(file, offset, CHUNK_BYTES);
      if (closed) break;
      if (chunk.nextOffset > offset) {
        send({ type: 'chunk', rank, offset: chunk.offset, nextOffset: chunk.nextOffset, text: chunk.text });
        offset = chunk.nextOffset;
        continue;
      }
      if (settled) {
        send({ type: 'end', state: training?.state ?? 'deleted', nextOffset: offset });
        socket.close(1000, 'end of log');
        break;
      }
      await pause(POLL_MS);
    }
  })().catch((error: Error) => {
    request.log.warn({ error: error.message }, 'log stream failed');
    socket.close(1011, 'log stream failed');
  });
}
