import { existsSync } from 'node:fs';
import { mkdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { BatchOutputFormat } from '@emkit/shared';
import { inside } from '../runtime/user-paths.js';
import { conflict, HttpError } from '../server/errors.js';
import type { Store } from '../store/index.js';
import { outputFiles } from './contract.js';

const unprocessable = (message: string) => new HttpError(422, 'unprocessable', message, 'output');

/** The real path `path` will have: its nearest existing folder resolved (a link into the home is seen), the rest joined. */
async function realDestination(path: string): Promise<string> {
  let existing = path;
  const rest: string[] = [];
  while (!existsSync(existing)) {
    rest.unshift(basename(existing));
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  return join(await realpath(existing).catch(() => existing), ...rest);
}

/**
 * The output folder a user named: absolute, a folder (made if missing), nothing of the emkit home; its predictions
 * file not there unless `overwrite`, and never one another running job writes. The job's own folder (the default)
 * needs none of this.
 */
export async function checkOutput(
  store: Store,
  output: string,
  format: BatchOutputFormat,
  options: { home: string; overwrite: boolean },
): Promise<{ dir: string; files: ReturnType<typeof outputFiles> }> {
  if (!isAbsolute(output)) throw unprocessable(`the output folder must be an absolute path, not "${output}"`);
  const dir = await realDestination(resolve(output));
  const home = await realpath(options.home).catch(() => options.home);
  if (inside(dir, home) || inside(home, dir)) {
    throw unprocessable(`the output folder ${output} is or holds emkit's own folder (${home}); name a folder of your own`);
  }
  const info = await stat(dir).catch(() => undefined);
  if (info && !info.isDirectory()) throw unprocessable(`the output ${output} is a file, not a folder`);
  const files = outputFiles(dir, format);
  refuseBusy(store, dir);
  if (!options.overwrite && existsSync(files.file)) {
    throw new HttpError(
      409,
      'conflict',
      `${files.file} already holds predictions: name another output folder, or ask to overwrite them (overwrite: true, --overwrite)`,
      'output',
    );
  }
  await mkdir(dir, { recursive: true }).catch((error: Error) => {
    throw unprocessable(`the output folder ${output} can't be made: ${error.message}`);
  });
  return { dir, files };
}

/** Two jobs never write into one folder (their errors.jsonl would be one file). */
export function refuseBusy(store: Store, dir: string): void {
  const busy = store.batchInferences.writing(dir);
  if (busy) throw conflict(`batch scoring ${busy.name} (${busy.id}) is writing into ${dir} now; wait for it, or stop it`);
}
