import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DATASET_REF_PATTERN, type DatasetKind, type DatasetSchema } from '@emkit/shared';
import { HttpError } from '../server/errors.js';
import type { DatasetVersionRecord } from '../store/datasets.js';
import type { Store } from '../store/index.js';
import type { DatasetScanner } from './scanner.js';

/** A dataset reference made concrete: pinned (`name:version`), and where the runner reads it. */
export interface ResolvedDataset {
  ref: string;
  path: string;
  kind: DatasetKind;
  format: DatasetSchema['format'];
  version: DatasetVersionRecord;
}

export interface ResolveDeps {
  store: Store;
  scanner: DatasetScanner;
  /** where a check's spec goes for the moment it runs */
  workRoot: string;
}

const REF = new RegExp(DATASET_REF_PATTERN);

/** Is this `datasets` value / evaluation `data` a dataset reference rather than a path? */
export const isDatasetRef = (value: string): boolean => !value.startsWith('/') && REF.test(value);

/**
 * The one place a dataset reference becomes a path (contract: "Dataset references"): `name` pins the newest
 * version, `name:3` that one; unknown → 404 on `field`; a `reference` dataset whose content changed since the
 * version (its files' sizes and times first, the full hash only if those moved) → 409, since training on other
 * data than the version names would break the pin.
 */
export async function resolveDataset(deps: ResolveDeps, ref: string, field: string): Promise<ResolvedDataset> {
  if (!isDatasetRef(ref)) {
    throw new HttpError(422, 'unprocessable', `"${ref}" is neither an absolute path nor a dataset name[:version]`, field);
  }
  const [name, asked] = ref.split(':') as [string, string | undefined];
  const dataset = deps.store.datasets.get(name);
  if (!dataset) {
    throw new HttpError(404, 'not_found', `dataset "${name}" doesn't exist (a path must be absolute)`, field);
  }
  const number = asked === undefined ? dataset.latest.version : Number(asked);
  const version = deps.store.datasets.version(dataset, number);
  if (!version) {
    throw new HttpError(
      404,
      'not_found',
      `dataset "${name}" has no version ${number} (its newest is ${dataset.latest.version})`,
      field,
    );
  }
  const pinned = `${name}:${number}`;
  if (dataset.mode === 'copy') {
    if (!existsSync(version.path)) {
      throw new HttpError(409, 'conflict', `the content of dataset ${pinned} is gone from ${version.path}`, field);
    }
  } else {
    await refuseChanged(deps, version, field);
  }
  return { ref: pinned, path: version.path, kind: version.schema.kind, format: version.schema.format, version };
}

async function refuseChanged(deps: ResolveDeps, version: DatasetVersionRecord, field: string): Promise<void> {
  await mkdir(deps.workRoot, { recursive: true, mode: 0o700 });
  const work = await mkdtemp(join(deps.workRoot, 'check-'));
  try {
    const answer = await deps.scanner.check(version.path, work, version, field);
    if (answer.same) return;
    const why = answer.reason ? ` (${answer.reason})` : '';
    throw new HttpError(
      409,
      'conflict',
      `dataset ${version.dataset} changed since version ${version.version}${why}: make a new version (emkit dataset version ${version.dataset})`,
      field,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** What trainings and evaluations are given to turn a reference into a path (DatasetService.resolve). */
export type DatasetResolver = (ref: string, field: string) => Promise<ResolvedDataset>;
