import { readFileSync } from 'node:fs';

/** What a run's status.json says: a status, nothing yet (not written), or why it can't be read. */
export type StatusRead<T> = { status: T; unreadable?: undefined } | { status?: undefined; unreadable?: string };

/**
 * Reads the status.json a detached run (a training's supervisor, an evaluation's runner) writes whole: a temporary
 * file, then a rename. So a damaged one is not a write in progress, and is reported as unreadable.
 */
export function readStatusFile<T extends { state: string }>(file: string, knownStates: readonly string[]): StatusRead<T> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    return { unreadable: (error as Error).message };
  }
  try {
    const status = JSON.parse(text) as T;
    if (typeof status?.state !== 'string' || !knownStates.includes(status.state)) {
      return { unreadable: 'it names no known state' };
    }
    return { status };
  } catch (error) {
    return { unreadable: (error as Error).message };
  }
}
