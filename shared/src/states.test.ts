import { describe, expect, it } from 'vitest';
import { ENDPOINT_STATES, STAGE_STATES } from './schemas/endpoints.js';
import { ENVIRONMENT_STATES } from './schemas/environments.js';
import { TENSORBOARD_STATES } from './schemas/tensorboards.js';
import {
  canTransition,
  endpointState,
  endpointStates,
  environmentStates,
  isSettled,
  type StateMachine,
  stageStates,
  TRAINING_STATES,
  tensorboardStates,
  trainingStates,
} from './states.js';

describe('state machines', () => {
  it('follows the guide for trainings', () => {
    expect(canTransition(trainingStates, 'RUNNING', 'COMPLETE')).toBe(true);
    expect(canTransition(trainingStates, 'RUNNING', 'STOP IN PROGRESS')).toBe(true);
    expect(canTransition(trainingStates, 'COMPLETE', 'RUNNING')).toBe(false);
    expect(canTransition(trainingStates, 'STOPPED', 'RUNNING')).toBe(false);
    expect(isSettled(trainingStates, 'FAIL TRAIN')).toBe(true);
    expect(isSettled(trainingStates, 'RUNNING')).toBe(false);
  });

  it('lets an environment be deleted only once it has settled', () => {
    expect(canTransition(environmentStates, 'CREATE IN PROGRESS', 'DELETE IN PROGRESS')).toBe(false);
    expect(canTransition(environmentStates, 'ACTIVE', 'DELETE IN PROGRESS')).toBe(true);
    expect(canTransition(environmentStates, 'CREATE FAILED', 'DELETE IN PROGRESS')).toBe(true);
  });

  it('has a machine for every resource with states, over exactly the states its schema lists', () => {
    const pairs: [StateMachine<string>, readonly string[]][] = [
      [trainingStates, TRAINING_STATES],
      [environmentStates, ENVIRONMENT_STATES],
      [endpointStates, ENDPOINT_STATES],
      [stageStates, STAGE_STATES],
      [tensorboardStates, TENSORBOARD_STATES],
    ];
    for (const [machine, states] of pairs) {
      expect(Object.keys(machine.transitions).sort()).toEqual([...states].sort());
      for (const settled of machine.settled) expect(states).toContain(settled);
    }
  });

  it('names every state it can reach as a state of its own', () => {
    for (const machine of [trainingStates, environmentStates, stageStates, endpointStates, tensorboardStates]) {
      const states = Object.keys(machine.transitions);
      for (const targets of Object.values(machine.transitions) as string[][]) {
        for (const target of targets) expect(states).toContain(target);
      }
      expect(states).toContain(machine.initial);
    }
  });

  it("derives an endpoint's state from its stages as the guide describes", () => {
    const stage = (id: string, state: Parameters<typeof endpointState>[1][number]['state']) => ({ id, state });
    expect(endpointState('CREATE REQUESTED', [stage('a', 'CREATE REQUESTED')], 'a')).toBe('CREATE REQUESTED');
    expect(endpointState('CREATE REQUESTED', [stage('a', 'DEPLOY IN PROGRESS')], 'a')).toBe('CREATE IN PROGRESS');
    expect(endpointState('CREATE IN PROGRESS', [stage('a', 'DEPLOY FAILED')], 'a')).toBe('CREATE FAILED');
    expect(endpointState('CREATE IN PROGRESS', [stage('a', 'ACTIVE')], 'a')).toBe('ACTIVE');
    // once ACTIVE, a second stage at work or failed is an update of the endpoint
    expect(endpointState('ACTIVE', [stage('a', 'ACTIVE'), stage('b', 'CREATE IN PROGRESS')], 'a')).toBe('UPDATE IN PROGRESS');
    expect(endpointState('UPDATE IN PROGRESS', [stage('a', 'ACTIVE'), stage('b', 'DEPLOY FAILED')], 'a')).toBe('UPDATE FAILED');
    expect(endpointState('UPDATE FAILED', [stage('a', 'ACTIVE')], 'a')).toBe('ACTIVE');
    // a restarted bridge redeploying an ACTIVE endpoint's default stage updates it, it does not create it again
    expect(endpointState('ACTIVE', [stage('a', 'DEPLOY IN PROGRESS')], 'a')).toBe('UPDATE IN PROGRESS');
    expect(endpointState('DELETE IN PROGRESS', [stage('a', 'ACTIVE')], 'a')).toBe('DELETE IN PROGRESS');
  });

  it('moves an endpoint only along its machine, whatever its stages do', () => {
    const combos: { id: string; state: (typeof STAGE_STATES)[number] }[][] = [];
    for (const main of STAGE_STATES) {
      combos.push([{ id: 'a', state: main }]);
      for (const other of STAGE_STATES)
        combos.push([
          { id: 'a', state: main },
          { id: 'b', state: other },
        ]);
    }
    for (const current of ENDPOINT_STATES) {
      for (const stages of combos) {
        const next = endpointState(current, stages, 'a');
        if (next !== current)
          expect([current, next, canTransition(endpointStates, current, next)]).toEqual([current, next, true]);
      }
    }
  });

  it('lets a TensorBoard end only once, and never start again', () => {
    expect(canTransition(tensorboardStates, 'CREATE IN PROGRESS', 'RUNNING')).toBe(true);
    expect(canTransition(tensorboardStates, 'RUNNING', 'STOPPED')).toBe(true);
    expect(canTransition(tensorboardStates, 'CREATE FAILED', 'STOPPED')).toBe(false);
    expect(canTransition(tensorboardStates, 'STOPPED', 'RUNNING')).toBe(false);
    expect(isSettled(tensorboardStates, 'CREATE IN PROGRESS')).toBe(false);
  });

  it('never lets a stage come back from DELETE IN PROGRESS', () => {
    expect(stageStates.transitions['DELETE IN PROGRESS']).toEqual([]);
    expect(canTransition(stageStates, 'ACTIVE', 'DEPLOY IN PROGRESS')).toBe(true);
    expect(isSettled(stageStates, 'DEPLOY FAILED')).toBe(true);
  });
});
