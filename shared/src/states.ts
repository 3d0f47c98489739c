import type { EnvironmentState } from './schemas/environments.js';

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

export function canTransition<S extends string>(machine: StateMachine<S>, from: S, to: S): boolean {
  return machine.transitions[from].includes(to);
}

export function isSettled<S extends string>(machine: StateMachine<S>, state: S): boolean {
  return machine.settled.includes(state);
}
