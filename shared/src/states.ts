import type { ClusterState } from './schemas/clusters.js';
import type { EndpointState, StageState } from './schemas/endpoints.js';
import type { EnvironmentState } from './schemas/environments.js';
import type { TensorboardState } from './schemas/tensorboards.js';

/**
 * The guide's life cycles as transition tables. The bridge refuses any change not
 * listed here; the editors use the same tables to pick badges and enable actions.
 */
export type StateMachine<S extends string> = {
  readonly initial: S;
  readonly transitions: { readonly [K in S]: readonly S[] };
  /** states that will not change by themselves (no spinner needed) */
  readonly settled: readonly S[];
};

export const environmentStates: StateMachine<EnvironmentState> = {
  initial: 'CREATE IN PROGRESS',
  transitions: {
    'CREATE IN PROGRESS': ['ACTIVE', 'CREATE FAILED'],
    ACTIVE: ['DELETE IN PROGRESS'],
    'CREATE FAILED': ['DELETE IN PROGRESS'],
    'DELETE IN PROGRESS': ['DELETE FAILED'],
    'DELETE FAILED': ['DELETE IN PROGRESS'],
  },
  settled: ['ACTIVE', 'CREATE FAILED', 'DELETE FAILED'],
};

export const TRAINING_STATES = [
  'CREATE REQUESTED',
  'CREATE IN PROGRESS',
  'RUNNING',
  'COMPLETE',
  'FAIL TRAIN',
  'STOP IN PROGRESS',
  'STOPPED',
  'CREATE FAILED',
] as const;
export type TrainingState = (typeof TRAINING_STATES)[number];

export const trainingStates: StateMachine<TrainingState> = {
  initial: 'CREATE REQUESTED',
  transitions: {
    'CREATE REQUESTED': ['CREATE IN PROGRESS', 'CREATE FAILED', 'STOP IN PROGRESS'],
    'CREATE IN PROGRESS': ['RUNNING', 'CREATE FAILED', 'STOP IN PROGRESS'],
    RUNNING: ['COMPLETE', 'FAIL TRAIN', 'STOP IN PROGRESS'],
    'STOP IN PROGRESS': ['STOPPED', 'COMPLETE', 'FAIL TRAIN'],
    COMPLETE: [],
    'FAIL TRAIN': [],
    STOPPED: [],
    'CREATE FAILED': [],
  },
  settled: ['COMPLETE', 'FAIL TRAIN', 'STOPPED', 'CREATE FAILED'],
};

/** An evaluation runs detached like a training, but its outcome is only COMPLETE, FAILED or STOPPED. */
export const EVALUATION_STATES = ['CREATE REQUESTED', 'RUNNING', 'COMPLETE', 'FAILED', 'STOP IN PROGRESS', 'STOPPED'] as const;
export type EvaluationState = (typeof EVALUATION_STATES)[number];

export const evaluationStates: StateMachine<EvaluationState> = {
  initial: 'CREATE REQUESTED',
  transitions: {
    'CREATE REQUESTED': ['RUNNING', 'COMPLETE', 'FAILED', 'STOP IN PROGRESS'],
    RUNNING: ['COMPLETE', 'FAILED', 'STOP IN PROGRESS'],
    'STOP IN PROGRESS': ['STOPPED', 'COMPLETE', 'FAILED'],
    COMPLETE: [],
    FAILED: [],
    STOPPED: [],
  },
  settled: ['COMPLETE', 'FAILED', 'STOPPED'],
};

/** A batch scoring job (issue 17) runs detached as an evaluation does, with the same outcomes. */
export const BATCH_INFERENCE_STATES = EVALUATION_STATES;
export type BatchInferenceState = EvaluationState;
export const batchInferenceStates: StateMachine<BatchInferenceState> = evaluationStates;

/** A tuning (issue 19) runs as an evaluation does: it ends COMPLETE (its budget spent), FAILED or STOPPED. */
export const TUNING_STATES = EVALUATION_STATES;
export type TuningState = EvaluationState;
export const tuningStates: StateMachine<TuningState> = evaluationStates;

/**
 * A tuning's trial: RUNNING while its training runs; then COMPLETE (the objective read), PRUNED (stopped by
 * the pruner), FAILED (its training failed, or never logged the objective) or STOPPED (the tuning stopped).
 */
export const TUNING_TRIAL_STATES = ['RUNNING', 'COMPLETE', 'PRUNED', 'FAILED', 'STOPPED'] as const;
export type TuningTrialState = (typeof TUNING_TRIAL_STATES)[number];

/** A schedule fires while ACTIVE; PAUSED by a person, or by the bridge when its target is gone (with the reason). */
export const SCHEDULE_STATES = ['ACTIVE', 'PAUSED'] as const;
export type ScheduleState = (typeof SCHEDULE_STATES)[number];

export const stageStates: StateMachine<StageState> = {
  initial: 'CREATE REQUESTED',
  transitions: {
    'CREATE REQUESTED': ['CREATE IN PROGRESS', 'CREATE FAILED', 'DELETE IN PROGRESS'],
    'CREATE IN PROGRESS': ['DEPLOY IN PROGRESS', 'CREATE FAILED', 'DELETE IN PROGRESS'],
    'DEPLOY IN PROGRESS': ['ACTIVE', 'DEPLOY FAILED', 'DELETE IN PROGRESS'],
    // back to DEPLOY IN PROGRESS when a restarted bridge starts its workers again
    ACTIVE: ['DEPLOY IN PROGRESS', 'DEPLOY FAILED', 'INACTIVE', 'DELETE IN PROGRESS'],
    // redeployed in place (POST …/stages/{stage}/deploy)
    'CREATE FAILED': ['CREATE IN PROGRESS', 'DEPLOY IN PROGRESS', 'DELETE IN PROGRESS'],
    'DEPLOY FAILED': ['DEPLOY IN PROGRESS', 'DELETE IN PROGRESS'],
    // deactivated: workers stopped, routes answer 503, the stage kept; activated by deploying again
    INACTIVE: ['DEPLOY IN PROGRESS', 'DELETE IN PROGRESS'],
    'DELETE IN PROGRESS': [],
  },
  settled: ['ACTIVE', 'CREATE FAILED', 'DEPLOY FAILED', 'INACTIVE'],
};

/** What `endpointState` below may move an endpoint to, from each state: its stages decide, not a request. */
export const endpointStates: StateMachine<EndpointState> = {
  initial: 'CREATE REQUESTED',
  transitions: {
    // once its default stage is ACTIVE, what the other stages do is an update
    'CREATE REQUESTED': [
      'CREATE IN PROGRESS',
      'ACTIVE',
      'CREATE FAILED',
      'UPDATE IN PROGRESS',
      'UPDATE FAILED',
      'DELETE IN PROGRESS',
    ],
    'CREATE IN PROGRESS': [
      'CREATE REQUESTED',
      'ACTIVE',
      'CREATE FAILED',
      'UPDATE IN PROGRESS',
      'UPDATE FAILED',
      'DELETE IN PROGRESS',
    ],
    // its default stage deployed again
    'CREATE FAILED': [
      'CREATE REQUESTED',
      'CREATE IN PROGRESS',
      'ACTIVE',
      'UPDATE IN PROGRESS',
      'UPDATE FAILED',
      'DELETE IN PROGRESS',
    ],
    ACTIVE: ['UPDATE IN PROGRESS', 'UPDATE FAILED', 'DELETE IN PROGRESS'],
    'UPDATE IN PROGRESS': ['ACTIVE', 'UPDATE FAILED', 'DELETE IN PROGRESS'],
    'UPDATE FAILED': ['UPDATE IN PROGRESS', 'ACTIVE', 'DELETE IN PROGRESS'],
    'DELETE IN PROGRESS': [],
  },
  settled: ['ACTIVE', 'CREATE FAILED', 'UPDATE FAILED'],
};

export const tensorboardStates: StateMachine<TensorboardState> = {
  initial: 'CREATE IN PROGRESS',
  transitions: {
    'CREATE IN PROGRESS': ['RUNNING', 'CREATE FAILED', 'STOPPED'],
    RUNNING: ['STOPPED'],
    // a new one is made for the same trainings; these stay as they ended
    STOPPED: [],
    'CREATE FAILED': [],
  },
  settled: ['RUNNING', 'STOPPED', 'CREATE FAILED'],
};

/**
 * A cluster's state follows the bridge's checks (REACHABLE ⇄ UNREACHABLE); a local one also
 * starts and stops. Settled here means "no spinner": a reachable cluster may still become
 * unreachable by itself.
 */
export const clusterStates: StateMachine<ClusterState> = {
  initial: 'CONNECTING',
  transitions: {
    CONNECTING: ['REACHABLE', 'UNREACHABLE'],
    STARTING: ['REACHABLE', 'START FAILED', 'STOPPED'],
    REACHABLE: ['UNREACHABLE', 'STOPPED'],
    UNREACHABLE: ['REACHABLE', 'STOPPED'],
    'START FAILED': ['STARTING', 'STOPPED'],
    STOPPED: ['STARTING'],
  },
  settled: ['REACHABLE', 'UNREACHABLE', 'START FAILED', 'STOPPED'],
};

const STAGE_BUSY = (Object.keys(stageStates.transitions) as StageState[]).filter((s) => !isSettled(stageStates, s));
const ENDPOINT_CREATING: readonly EndpointState[] = ['CREATE REQUESTED', 'CREATE IN PROGRESS', 'CREATE FAILED'];

/**
 * An endpoint's state follows from its stages': while its first (default) stage comes up
 * it is being created; afterwards any stage at work makes it UPDATE IN PROGRESS and any
 * failed one UPDATE FAILED, as the guide describes.
 */
export function endpointState(
  current: EndpointState,
  stages: readonly { id: string; state: StageState }[],
  defaultStageId: string | null,
): EndpointState {
  if (current === 'DELETE IN PROGRESS') return current;
  const main = stages.find((s) => s.id === defaultStageId);
  if (main && ENDPOINT_CREATING.includes(current)) {
    if (main.state === 'CREATE REQUESTED') return 'CREATE REQUESTED';
    if (STAGE_BUSY.includes(main.state)) return 'CREATE IN PROGRESS';
    if (main.state !== 'ACTIVE') return 'CREATE FAILED';
  }
  if (stages.some((s) => STAGE_BUSY.includes(s.state))) return 'UPDATE IN PROGRESS';
  if (stages.some((s) => s.state === 'CREATE FAILED' || s.state === 'DEPLOY FAILED')) return 'UPDATE FAILED';
  return 'ACTIVE';
}

export function canTransition<S extends string>(machine: StateMachine<S>, from: S, to: S): boolean {
  return machine.transitions[from].includes(to);
}

export function isSettled<S extends string>(machine: StateMachine<S>, state: S): boolean {
  return machine.settled.includes(state);
}
