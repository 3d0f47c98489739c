import { describe, expect, it } from 'vitest';
import { chainSteps, DRAFT_STRINGS, scheduleDraft, scheduleName, trainingFile } from './schedule-draft.js';

const lists = {
  trainings: [
    {
      id: 'tr-3',
      name: 'fit-new',
      source: { path: '/w', entryPoint: 'a.ipynb' },
      hyperparameters: { lr: '0.1' },
      datasets: { train: 'iris:2' },
    },
    { id: 'tr-1', name: 'fit-old', source: { path: '/w/', entryPoint: 'a.ipynb' }, hyperparameters: {}, datasets: {} },
  ],
  recipes: [
    {
      id: 'number-classification',
      name: 'number-classification',
      datasets: [{ name: 'train', kinds: ['table'] }],
      parameters: [
        { name: 'label', default: null },
        { name: 'k', default: '5' },
      ],
    },
  ],
  models: [{ id: 'm1', name: 'iris', version: 2, source: { training: null } }],
} as never;

describe('the schedule draft', () => {
  it('names a schedule by the bridge’s rule', () => {
    expect(scheduleName('Churn Model (v2)')).toBe('churn-model-v2-schedule');
    expect(scheduleName('___')).toBe('schedule-schedule');
    expect(scheduleName('x'.repeat(80))).toHaveLength(50);
  });

  it('retrains a training from its snapshot with its hyperparameters and datasets', () => {
    expect(scheduleDraft({ kind: 'training', training: 'fit-new' }, lists)).toEqual({
      draft: {
        name: 'fit-new-schedule',
        every: '1d',
        overlap: 'skip',
        catchUp: true,
        steps: [
          {
            kind: 'training',
            training: 'tr-3',
            source: 'snapshot',
            hyperparameters: { lr: '0.1' },
            datasets: { train: 'iris:2' },
          },
        ],
      },
      note: null,
    });
  });

  it('takes the newest training of a notebook, or runs one never submitted by its path', () => {
    expect(trainingFile(lists['trainings' as never][1])).toBe('/w/a.ipynb');
    const found = scheduleDraft({ kind: 'notebook', path: '/w/a.ipynb' }, lists);
    expect(found.draft.steps).toMatchObject([{ training: 'tr-3', source: 'latest' }]);
    const never = scheduleDraft({ kind: 'notebook', path: '/w/b.ipynb' }, lists);
    expect(never).toEqual({
      draft: {
        name: 'b-schedule',
        every: '1d',
        overlap: 'skip',
        catchUp: true,
        steps: [{ kind: 'training', path: '/w/b.ipynb' }],
      },
      note: null,
    });
  });

  it('trains a recipe on datasets still to name, with its defaults; scores with a model version', () => {
    expect(scheduleDraft({ kind: 'recipe', recipe: 'number-classification' }, lists).draft.steps).toEqual([
      { kind: 'recipe', recipe: 'number-classification', datasets: { train: '' }, hyperparameters: { k: '5' } },
    ]);
    expect(scheduleDraft({ kind: 'model', model: 'iris:2' }, lists).draft).toMatchObject({
      name: 'iris-scoring-schedule',
      steps: [{ kind: 'batch', batch: { model: 'iris:2', input: '' } }],
    });
    expect(scheduleDraft({ kind: 'model', model: 'gone:1' }, lists)).toMatchObject({
      note: DRAFT_STRINGS.unknown,
      noteArg: 'gone:1',
    });
  });

  it('chains retrain → evaluate → promote → re-score in that order, overwriting one output folder', () => {
    const first = { kind: 'training' as const, training: 'tr-3' };
    expect(
      chainSteps(first, {
        rescore: { input: 'customers', output: '/data/out' },
        promote: { alias: 'production', metric: 'accuracy', comparison: '>=', threshold: 0.9 },
        evaluate: { data: 'holdout:1', label: 'churn' },
      }),
    ).toEqual([
      first,
      { kind: 'evaluation', data: 'holdout:1', label: 'churn' },
      { kind: 'promote', alias: 'production', metric: 'accuracy', comparison: '>=', threshold: 0.9 },
      { kind: 'batch', batch: { input: 'customers', output: '/data/out', overwrite: true } },
    ]);
    expect(chainSteps(first, {})).toEqual([first]);
  });
});
