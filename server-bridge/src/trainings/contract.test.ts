import { describe, expect, it } from 'vitest';
import { clashingKeys, contractEnvironment, hyperparameterVariable, trainingLayout } from './contract.js';
import { defaultTrainingName } from './submit.js';

describe('the training contract', () => {
  const layout = trainingLayout('/home/u/.emkit/trainings/abc');

  it('sets every EM_* variable of the console guide', () => {
    const env = contractEnvironment({
      layout,
      entryPoint: 'src/train.py',
      hyperparameters: { epochs: '10', 'learning-rate': '0.1' },
      datasets: { train: '/data/train', test: '/data/test' },
    });
    expect(env).toEqual({
      EM_SOURCE_DIR: '/home/u/.emkit/trainings/abc/source',
      EM_ENTRY_POINT: 'src/train.py',
      EM_MODEL_DIR: '/home/u/.emkit/trainings/abc/model',
      EM_ARTIFACT_DIR: '/home/u/.emkit/trainings/abc/artifacts',
      EM_CHECKPOINT_DIR: '/home/u/.emkit/trainings/abc/checkpoints',
      EM_TENSORBOARD_LOG_DIR: '/home/u/.emkit/trainings/abc/tensorboard',
      EM_DATASETS: '{"train":"/data/train","test":"/data/test"}',
      EM_DATASET_TRAIN: '/data/train',
      EM_DATASET_TEST: '/data/test',
      EM_HPS: '{"epochs":"10","learning-rate":"0.1"}',
      EM_HP_EPOCHS: '10',
      EM_HP_LEARNING_RATE: '0.1',
      EM_REGION: 'local',
      EM_APPKEY: 'local',
    });
  });

  it('finds keys that would share a variable', () => {
    expect(hyperparameterVariable('model_version')).toBe('EM_HP_MODEL_VERSION');
    expect(clashingKeys(['lr', 'LR'], hyperparameterVariable)).toEqual(['lr', 'LR']);
    expect(clashingKeys(['a-b', 'a_b'], hyperparameterVariable)).toEqual(['a-b', 'a_b']);
    expect(clashingKeys(['lr', 'epochs'], hyperparameterVariable)).toBeUndefined();
  });

  it('names a training after its entry point and the time, within the naming rule', () => {
    const at = new Date('2026-11-22T09:30:15Z');
    expect(defaultTrainingName('My Notebook (v2).ipynb', at)).toBe('my-notebook-v2-20261122-093015');
    expect(defaultTrainingName('src/train.py', at)).toBe('train-20261122-093015');
    expect(defaultTrainingName('___.py', at)).toBe('training-20261122-093015');
    expect(defaultTrainingName(`${'a'.repeat(80)}.py`, at)).toMatch(/^[a-z0-9][a-z0-9_-]{0,49}$/);
  });
});
