import { join } from 'node:path';
import type { BatchOutputFormat } from '@emkit/shared';

/**
 * A batch scoring job's own folder (`<home>/batch-inferences/<id>`): what the bridge writes (spec.json), what the
 * runner writes (status.json, manifest.jsonl, runner.log), and the output when no `output` folder was named. All of it
 * goes on delete; an `output` folder the user named is kept.
 */
export function batchLayout(dir: string) {
  return {
    dir,
    spec: join(dir, 'spec.json'),
    status: join(dir, 'status.json'),
    /** one line per batch written, once its data is synced: what a resumed runner goes on from */
    manifest: join(dir, 'manifest.jsonl'),
    /** the runners' stdout and stderr; named for the executor, which treats every run alike */
    supervisorLog: join(dir, 'runner.log'),
  };
}
export type BatchLayout = ReturnType<typeof batchLayout>;

/** The files a job writes into its output folder. */
export function outputFiles(output: string, format: BatchOutputFormat) {
  const file = join(output, `predictions.${format}`);
  return { file, partial: `${file}.partial`, errors: join(output, 'errors.jsonl') };
}

export type InputFormat = 'csv' | 'parquet' | 'jsonl' | 'files';

/** spec.json: everything `python -m emkit.batch` needs (server-bridge/python/src/emkit/batch/spec.py). */
export interface BatchSpec {
  version: 1;
  jobId: string;
  model: { id: string; name: string; version: number; framework: string; artifactPath: string };
  input: { path: string; format: InputFormat };
  features: string[] | null;
  output: { format: BatchOutputFormat; file: string; partialFile: string; errorsFile: string };
  instances: number;
  batchSize: number;
  maxErrorRatio: number;
  returnScores: boolean;
  statusFile: string;
  manifestFile: string;
  /**
   * the Ray cluster the workers run on (the runner connects as a Ray Client); null: this machine.
   * Its workers sample themselves every `usageIntervalSeconds` (0: never): the bridge can't see the nodes.
   */
  cluster: { name: string; address: string; tokenFile: string | null; usageIntervalSeconds: number } | null;
}

export const RUNNER_STATES = ['RUNNING', 'COMPLETE', 'FAILED', 'STOPPED'] as const;
export type RunnerState = (typeof RUNNER_STATES)[number];
export const FINAL_RUNNER_STATES: readonly RunnerState[] = ['COMPLETE', 'FAILED', 'STOPPED'];

/** A batch worker on a Ray cluster's node, as it sampled itself (its numbers are the sidecar's). */
export interface ClusterWorkerUsage {
  /** 1, 2, …: the series `worker N`, as a local job's */
  worker: number;
  node: string;
  sample: unknown;
  sampledAt: number;
}

/** status.json, as the runner writes it (whole: a temporary file, then a rename). */
export interface RunnerStatus {
  state: RunnerState;
  reason: string | null;
  done: number;
  total: number | null;
  errors: number;
  /** items per second over the last seconds */
  rate: number | null;
  pid: number;
  /** the scoring worker processes running now (absent from runners before they were named) */
  workers?: number[];
  /** the latest sample each worker on a Ray cluster took of itself, with when (epoch seconds) */
  clusterWorkers?: ClusterWorkerUsage[];
  startedAt: string | null;
  endedAt: string | null;
}
