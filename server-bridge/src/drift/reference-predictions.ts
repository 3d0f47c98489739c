import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StageRuntime } from '../endpoints/routing.js';
import type { StageRecord } from '../store/endpoints.js';
import type { DriftProcess } from './process.js';
import type { ReferenceTable } from './reference.js';

/** The reference rows the model is asked to predict: enough for a chi-squared or KS test, cheap to ask once. */
export const SAMPLE_ROWS = 1000;
const CHUNK = 100;
const TIMEOUT_MS = 60_000;

export interface PredictionsRequest {
  drift: DriftProcess;
  /** this stage's cache folder */
  folder: string;
  db: string;
  stage: StageRecord;
  reference: ReferenceTable;
  inputs: string[] | undefined;
  /** the fingerprint of (model version, reference): a new one asks again */
  key: string;
  runtime: StageRuntime | undefined;
}

/**
 * The stage's model's predictions on a sample of its reference, asked once per (model version,
 * reference) of the stage and kept in a file beside its windows: what the logged predictions are
 * compared with. Asked of the stage's own workers (straight, not through the gateway, so the
 * calls are neither logged as payloads nor counted as traffic). Undefined while no worker is ready.
 */
export async function referencePredictions(request: PredictionsRequest): Promise<string | undefined> {
  const file = join(request.folder, `predictions-${request.key}.json`);
  if (existsSync(file)) return file;
  const instance = request.runtime?.pool.pick();
  const client = instance?.client;
  if (!instance || !client) return undefined;
  await mkdir(request.folder, { recursive: true, mode: 0o700 });
  const sampleFile = join(request.folder, `sample-${request.key}.json`);
  await request.drift.run('sample', {
    db: request.db,
    stageId: request.stage.id,
    reference: { path: request.reference.path, format: request.reference.format, source: request.reference.source },
    inputs: request.inputs ?? null,
    rows: SAMPLE_ROWS,
    output: sampleFile,
  });
  const sample = JSON.parse(await readFile(sampleFile, 'utf8')) as unknown[];
  const predictions: unknown[] = [];
  for (let at = 0; at < sample.length; at += CHUNK) {
    const body = Buffer.from(JSON.stringify({ instances: sample.slice(at, at + CHUNK) }));
    instance.inFlight += 1;
    try {
      const answer = await client.post('/predict', body, '', TIMEOUT_MS);
      if (answer.status !== 200) {
        throw new Error(`the model answered ${answer.status} on the reference sample: ${answer.body.toString('utf8', 0, 300)}`);
      }
      const parsed = JSON.parse(answer.body.toString('utf8')) as { predictions?: unknown[] };
      predictions.push(...(parsed.predictions ?? []));
    } finally {
      instance.inFlight -= 1;
    }
  }
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, JSON.stringify(predictions), { mode: 0o600 });
  await rename(partial, file);
  return file;
}
