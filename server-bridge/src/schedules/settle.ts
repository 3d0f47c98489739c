import type { ResourceEvent, ResourceName } from '@emkit/shared';
import type { EventLog } from '../store/events.js';

/** The run was cancelled (its schedule deleted, or the bridge stopping) while it waited. */
export class RunCancelled extends Error {}

/**
 * Wait until `read()` says the resource has settled, looking again at each event about it: no polling, and
 * nothing missed between the first look and the subscription (the look comes after subscribing).
 */
export function whenSettled<T>(
  events: EventLog,
  resource: ResourceName,
  id: string,
  read: () => T | undefined,
  settled: (value: T) => boolean,
  signal: AbortSignal,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const finish = (outcome: () => void) => {
      events.bus.off('event', onEvent);
      signal.removeEventListener('abort', onAbort);
      outcome();
    };
    const look = () => {
      const value = read();
      if (value === undefined) finish(() => reject(new Error(`${resource} ${id} was deleted while the run waited on it`)));
      else if (settled(value)) finish(() => resolve(value));
    };
    const onEvent = (event: ResourceEvent) => {
      if (event.resource === resource && event.id === id) look();
    };
    const onAbort = () => finish(() => reject(new RunCancelled('cancelled')));
    if (signal.aborted) return onAbort();
    events.bus.on('event', onEvent);
    signal.addEventListener('abort', onAbort);
    look();
  });
}
