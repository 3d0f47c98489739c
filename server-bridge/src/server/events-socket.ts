import type { EventEmitter } from 'node:events';
import type { EventMessage, EventsQuery, InferenceLog, ResourceEvent } from '@emkit/shared';
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { EventLog } from '../store/events.js';

const REPLAY_PAGE = 1000;
/** A client this far behind is cut off; it reconnects and resumes from its last seq. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/**
 * One subscriber of /api/v1/events: hello, then the replay of everything after `since`,
 * then live events. better-sqlite3 is synchronous and events are published on this same
 * thread, so nothing can be committed between the replay and the live subscription:
 * no gap, no duplicate.
 */
export function serveEvents(events: EventLog, socket: WebSocket, request: FastifyRequest, inferences?: EventEmitter): void {
  const { since, inferences: wantsInferences } = request.query as EventsQuery;
  const send = (message: EventMessage) => {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      socket.close(1013, 'too far behind; reconnect with since');
      return;
    }
    socket.send(JSON.stringify(message));
  };

  const head = events.head();
  send({ type: 'hello', seq: head });
  if (since !== undefined) {
    const oldest = events.oldest();
    if (since > head || (oldest !== null && since < oldest - 1)) {
      send({ type: 'reset', seq: head });
    } else {
      let cursor = since;
      for (;;) {
        const page = events.since(cursor, REPLAY_PAGE);
        for (const event of page) send({ type: 'event', event });
        if (page.length < REPLAY_PAGE) break;
        cursor = page[page.length - 1]?.seq ?? cursor;
      }
    }
  }

  const live = (event: ResourceEvent) => send({ type: 'event', event });
  events.bus.on('event', live);
  socket.on('close', () => events.bus.off('event', live));
  if (wantsInferences && inferences) {
    const entry = (log: InferenceLog) => send({ type: 'inference', log });
    inferences.on('log', entry);
    socket.on('close', () => inferences.off('log', entry));
  }
  // clients only listen; anything they send is ignored
  socket.on('message', () => {});
}
