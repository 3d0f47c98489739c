import { describe, expect, it } from 'vitest';
import { canTransition, environmentStates, isSettled, trainingStates } from './states.js';

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

  it('names every state it can reach as a state of its own', () => {
    for (const machine of [trainingStates, environmentStates]) {
      const states = Object.keys(machine.transitions);
      for (const targets of Object.values(machine.transitions) as string[][]) {
        for (const target of targets) expect(states).toContain(target);
      }
      expect(states).toContain(machine.initial);
    }
  });
});
