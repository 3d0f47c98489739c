import { join } from 'node:path';
import type { TrainingKind } from '@emkit/shared';

/** A training's folder: everything it has and makes lives here, and goes with it on delete. */
export function trainingLayout(dir: string) {
  return {
    dir,
    spec: join(dir, 'spec.json'),
    status: join(dir, 'status.json'),
    /** why the bridge stopped it (an early stop), for the supervisor's last log line */
    stopReason: join(dir, 'stop-reason'),
    source: join(dir, 'source'),
    logs: join(dir, 'logs'),
    supervisorLog: join(dir, 'logs', 'supervisor.log'),
    artifacts: join(dir, 'artifacts'),
    model: join(dir, 'model'),
    checkpoints: join(dir, 'checkpoints'),
    tensorboard: join(dir, 'tensorboard'),
  };
}
export type TrainingLayout = ReturnType<typeof trainingLayout>;

export const rankLog = (layout: TrainingLayout, rank: number) => join(layout.logs, `rank-${rank}.log`);

/** `learning-rate` → `EM_HP_LEARNING_RATE`: upper-cased, as the guide says, and a valid variable name. */
export const hyperparameterVariable = (key: string) => `EM_HP_${key.toUpperCase().replaceAll('-', '_')}`;
export const datasetVariable = (name: string) => `EM_DATASET_${name.toUpperCase()}`;

/** Two keys that would land on the same variable (`lr` and `LR`, `a-b` and `a_b`). */
export function clashingKeys(keys: readonly string[], variable: (key: string) => string): [string, string] | undefined {
  const seen = new Map<string, string>();
  for (const key of keys) {
    const name = variable(key);
    const other = seen.get(name);
    if (other !== undefined) return [other, key];
    seen.set(name, key);
  }
  return undefined;
}

export interface ContractInput {
  layout: TrainingLayout;
  entryPoint: string;
  hyperparameters: Record<string, string>;
  datasets: Record<string, string>;
}

/**
 * The environment variables of EasyMaker's training contract (console guide, appendix 4),
 * so scripts written for that service run unchanged. The torchrun variables of each rank
 * are the supervisor's to add.
 */
export function contractEnvironment(input: ContractInput): Record<string, string> {
  const env: Record<string, string> = {
    EM_SOURCE_DIR: input.layout.source,
    EM_ENTRY_POINT: input.entryPoint,
    EM_MODEL_DIR: input.layout.model,
    // files the training leaves for later (a built-in recipe's holdout and evaluation go here)
    EM_ARTIFACT_DIR: input.layout.artifacts,
    EM_CHECKPOINT_DIR: input.layout.checkpoints,
    EM_TENSORBOARD_LOG_DIR: input.layout.tensorboard,
    EM_DATASETS: JSON.stringify(input.datasets),
    EM_HPS: JSON.stringify(input.hyperparameters),
    EM_REGION: 'local',
    EM_APPKEY: 'local',
  };
  for (const [name, path] of Object.entries(input.datasets)) env[datasetVariable(name)] = path;
  for (const [key, value] of Object.entries(input.hyperparameters)) env[hyperparameterVariable(key)] = value;
  return env;
}

/** What the supervisor (`python -m emkit.runner spec.json`) reads. */
export interface TrainingSpec {
  version: 1;
  trainingId: string;
  trainingName: string;
  python: string;
  sourceDir: string;
  entryPoint: string;
  kind: TrainingKind;
  hyperparameters: Record<string, string>;
  instanceCount: number;
  maxDurationSeconds: number | null;
  env: Record<string, string>;
  logDir: string;
  statusFile: string;
  artifactsDir: string;
  installer: string[] | null;
  /** a cluster training: its environment's pip requirements, installed by Ray on the nodes (null: the nodes' own Python) */
  clusterPip?: string[] | null;
}

/** What the supervisor writes to status.json, atomically, at each change. */
export interface SupervisorStatus {
  state: 'CREATE IN PROGRESS' | 'RUNNING' | 'STOP IN PROGRESS' | 'COMPLETE' | 'FAIL TRAIN' | 'STOPPED';
  reason: string | null;
  exitCode: number | null;
  supervisorPid: number;
  ranks: { rank: number; pid: number; exitCode: number | null }[];
  startedAt: string | null;
  endedAt: string | null;
  updatedAt: string;
  /** a cluster training's driver: which start this is (1, then 2… after a lost node) */
  attempt?: number;
}

export const FINAL_SUPERVISOR_STATES: readonly SupervisorStatus['state'][] = ['COMPLETE', 'FAIL TRAIN', 'STOPPED'];
