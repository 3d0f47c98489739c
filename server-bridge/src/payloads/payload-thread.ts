import type { PayloadBatchWriter } from './payload-batch.js';
import { decodeBatch, type FromPayloadThread, type ToPayloadThread } from './payload-wire.js';

/** The two ends' ports, as node:worker_threads has them (and an in-process pair for unit tests). */
export interface ThreadPort {
  postMessage(message: unknown, transfer?: readonly ArrayBuffer[]): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

/** How often the thread checkpoints the store's WAL besides its commits (see PayloadBatchWriter.checkpoint). */
const CHECKPOINT_EVERY_MS = 2000;

/**
 * The payload log thread's side: each message done in the order sent, so a `flush` answers after
 * every batch before it, and the store checkpointed every few seconds; each batch's bytes, once done (written or given up), added to `written`
 * (the gateway's measure of what waits: its queue cap).
 */
export function servePayloadThread(
  writer: PayloadBatchWriter,
  port: ThreadPort,
  close: () => void,
  written: SharedArrayBuffer,
): void {
  const done = new Int32Array(written);
  const answer = (message: FromPayloadThread) => port.postMessage(message);
  const checkpoints = setInterval(() => writer.checkpoint(), CHECKPOINT_EVERY_MS).unref();
  port.on('message', (raw) => {
    const message = raw as ToPayloadThread;
    try {
      if (message.type === 'batch') {
        try {
          writer.write(decodeBatch(message));
        } finally {
          Atomics.add(done, 0, message.length);
        }
      } else if (message.type === 'prune') writer.prune(message.now);
      else if (message.type === 'close') {
        clearInterval(checkpoints);
        close();
      }
    } catch (error) {
      // a thread that throws ends: one bad batch must not take the log down with it
      answer({ type: 'warn', message: 'logged payloads could not be written', error: String(error) });
    }
    if (message.type === 'flush') answer({ type: 'flushed', id: message.id });
  });
}
