import { join } from 'node:path';
import type { DatasetFormat, EvaluationTask, Label } from '@emkit/shared';

/** An evaluation's folder (eval-contract.md): what the bridge writes, what the runner writes; all go on delete. */
export function evaluationLayout(dir: string) {
  return {
    dir,
    spec: join(dir, 'spec.json'),
    status: join(dir, 'status.json'),
    result: join(dir, 'result.json'),
    curves: join(dir, 'curves.json'),
    /** the runner's stdout and stderr; named for the executor, which treats every run alike */
    supervisorLog: join(dir, 'runner.log'),
  };
}
export type EvaluationLayout = ReturnType<typeof evaluationLayout>;

/** spec.json: everything `python -m emkit.evaluation` needs. */
export interface EvaluationSpec {
  version: 1;
  evaluationId: string;
  model: { id: string; name: string; version: number; framework: string; artifactPath: string };
  data: { path: string; format: DatasetFormat; label: string | null; features: string[] | null };
  task: EvaluationTask | null;
  threshold: number;
  maxErrors: number;
  batchRows: number;
  statusFile: string;
  resultFile: string;
  curvesFile: string;
  logFile: string;
}

export const RUNNER_STATES = ['RUNNING', 'COMPLETE', 'FAILED', 'STOPPED'] as const;
export type RunnerState = (typeof RUNNER_STATES)[number];
export const FINAL_RUNNER_STATES: readonly RunnerState[] = ['COMPLETE', 'FAILED', 'STOPPED'];

/** status.json, as the runner writes it (whole: a temporary file, then a rename). */
export interface RunnerStatus {
  state: RunnerState;
  reason: string | null;
  rowsDone: number;
  sha256: string | null;
  task: EvaluationTask | null;
  pid: number;
  startedAt: string | null;
  endedAt: string | null;
}

export type { Label };
