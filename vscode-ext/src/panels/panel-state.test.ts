import { describe, expect, it } from 'vitest';
import { panelState } from './panel-state.js';

describe("a panel's saved state", () => {
  it('gives back a training, an endpoint, a comparison, a model, a dataset, the no-code flow, a TensorBoard for a training or an experiment, a Ray dashboard, a batch job, a schedule and a tuning', () => {
    for (const state of [
      { kind: 'training', id: 't1', name: 'iris' },
      { kind: 'model', id: 'iris', name: 'Model iris' },
      { kind: 'endpoint', id: 'e1', name: 'iris-ui' },
      { kind: 'comparison', id: 'x1', name: 'iris-lab' },
      { kind: 'dataset', id: 'ds1', name: 'shapes' },
      { kind: 'newModel', id: 'new', name: 'New Model (No Code)' },
      { kind: 'tensorboard', target: { training: 't1' }, name: 'iris' },
      { kind: 'tensorboard', target: { experiment: 'x1' }, name: 'iris-lab' },
      { kind: 'dashboard', id: 'c1', name: 'prod' },
      { kind: 'batch', id: 'b1', name: 'score-iris' },
      { kind: 'schedule', id: 's1', name: 'nightly' },
      { kind: 'tuning', id: 'u1', name: 'lr-search' },
    ]) {
      expect(panelState(JSON.parse(JSON.stringify(state)))).toEqual(state);
    }
  });

  it('refuses what a page could not have saved, so no panel is opened on it', () => {
    for (const state of [
      null,
      'training',
      { kind: 'training', name: 'iris' },
      { kind: 'experiment', id: 'x1', name: 'iris' },
      { kind: 'model', name: 'iris' },
      { kind: 'dataset', id: 7, name: 'shapes' },
      { kind: 'endpoint', id: 5, name: 'iris' },
      { kind: 'tensorboard', target: {}, name: 'iris' },
      { kind: 'tensorboard', target: { training: 't1' } },
      { kind: 'dashboard', name: 'prod' },
      { kind: 'newModel', name: 'New Model (No Code)' },
      { kind: 'batch', name: 'score-iris' },
      // the schedule editor's draft isn't kept: it doesn't come back
      { kind: 'scheduleEditor', id: 'new', name: 'New Schedule' },
      // nor the Tune form's
      { kind: 'tuneForm', id: 'new', name: 'Tune' },
      { kind: 'tuning', name: 'lr-search' },
    ]) {
      expect(panelState(state)).toBeNull();
    }
  });

  it('keeps only the fields it knows', () => {
    expect(panelState({ kind: 'training', id: 't1', name: 'iris', extra: '<script>' })).toEqual({
      kind: 'training',
      id: 't1',
      name: 'iris',
    });
  });
});
