import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { BatchErrorList } from '@emkit/shared';

/** Bad items listed when the caller names no limit. */
export const DEFAULT_ERRORS_SHOWN = 100;

/**
 * The first `limit` bad items of a job's errors.jsonl and how many it holds. The runner appends
 * to it while the job runs, so a last line still being written (no JSON yet) is not counted;
 * a file not there yet (nothing bad so far, or a job not started) is none.
 */
export async function readErrorsFile(path: string, limit: number = DEFAULT_ERRORS_SHOWN): Promise<BatchErrorList> {
  const items: BatchErrorList['items'] = [];
  let total = 0;
  const stream = createReadStream(path, { encoding: 'utf8' });
  try {
    for await (const line of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
      if (!line.trim()) continue;
      let entry: { key?: unknown; reason?: unknown };
      try {
        entry = JSON.parse(line);
      } catch {
        continue;
      }
      total++;
      if (items.length < limit) items.push({ key: String(entry.key ?? ''), reason: String(entry.reason ?? '') });
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  } finally {
    stream.destroy();
  }
  return { items, total };
}
