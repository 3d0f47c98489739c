// @vitest-environment happy-dom
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type NewModelViewAction, type TrainingViewAction, untranslated } from '../feeds/protocol.js';
import { BUILTIN_RECIPES, builtinRecipe } from '../recipes/builtins.js';
import type { Dataset, DatasetPreview, DatasetSchema } from '../schemas/datasets.js';
import type { Evaluation, EvaluationResult } from '../schemas/evaluations.js';
import type { Training } from '../schemas/trainings.js';
import { NewModelView } from './new-model-view.js';
import { TrainingView } from './training-view.js';

// The no-code views with the scanner's real previews (fixtures/make_datasets.py) and real
// scikit-learn figures (fixtures/make_fixtures.py); the editors' end-to-end tests drive them for real.
const here = dirname(fileURLToPath(import.meta.url));
const previews = JSON.parse(readFileSync(join(here, 'fixtures', 'datasets.json'), 'utf8')) as Record<
  'table' | 'classes',
  DatasetPreview
>;
const figures = JSON.parse(readFileSync(join(here, 'fixtures', 'evaluations.json'), 'utf8')) as Record<
  'multiclass',
  { result: EvaluationResult }
>;

const imageSchema: DatasetSchema = {
  ...previews.classes.schema,
  classes: previews.classes.schema.classes.filter((c) => c.sampleKind === 'image'),
};
const shapes: DatasetPreview = {
  ...previews.classes,
  dataset: 'shapes',
  version: 1,
  schema: imageSchema,
  samples: previews.classes.samples.filter((s) => ['circle', 'square'].includes(s.class)),
};
const iris: DatasetPreview = { ...previews.table, dataset: 'iris', version: 2 };

function dataset(preview: DatasetPreview): Dataset {
  return {
    id: `ds-${preview.dataset}`,
    name: preview.dataset,
    description: '',
    mode: 'copy',
    source: null,
    latest: {
      dataset: preview.dataset,
      version: preview.version,
      sha256: 'a'.repeat(64),
      bytes: 4608,
      files: 6,
      path: `/home/.emkit/datasets/${preview.dataset}`,
      schema: preview.schema,
      createdAt: '2026-12-06T00:00:00.000Z',
    },
    versions: preview.version,
    createdAt: '2026-12-06T00:00:00.000Z',
    updatedAt: '2026-12-06T00:00:00.000Z',
  };
}

const hosts: HTMLElement[] = [];
const host = () => {
  const element = document.createElement('div');
  document.body.appendChild(element);
  hosts.push(element);
  return element;
};
afterEach(() => {
  for (const element of hosts.splice(0)) element.remove();
});

function open() {
  const actions: NewModelViewAction[] = [];
  const view = new NewModelView(host(), { t: untranslated, act: (a) => actions.push(a) });
  view.handle({ type: 'recipes', recipes: BUILTIN_RECIPES.map(builtinRecipe) });
  view.handle({ type: 'datasets', datasets: [dataset(shapes), dataset(iris)] });
  return { view, actions, $: (selector: string) => view.element.querySelector<HTMLElement>(selector) };
}

describe('the new-model view', () => {
  it('shows six cards, then the datasets that fit the one picked, and Upload…', () => {
    const { view, actions, $ } = open();
    const cards = [...view.element.querySelectorAll<HTMLElement>('.emkit-nocode-card')];
    expect(cards.map((c) => c.querySelector('strong')?.textContent)).toEqual([
      'Classify images',
      'Classify texts',
      'Classify sounds',
      'Classify numbers',
      'Predict a number',
      'Group numbers',
    ]);
    expect($('.emkit-nocode-data')?.hidden).toBe(true);
    cards[0]?.click();
    expect(cards[0]?.getAttribute('aria-checked')).toBe('true');
    const options = [...view.element.querySelectorAll<HTMLOptionElement>('.emkit-nocode-dataset option')];
    expect(options.map((o) => o.value)).toEqual(['', 'shapes:1']);
    (view.element.querySelector('.emkit-nocode-card[data-model-type="clustering"]') as HTMLElement).click();
    expect([...view.element.querySelectorAll<HTMLOptionElement>('.emkit-nocode-dataset option')].map((o) => o.value)).toEqual([
      '',
      'iris:2',
    ]);
    ($('[data-emkit-action="upload"]') as HTMLElement).click();
    expect(actions).toEqual([{ action: 'upload', modelType: 'clustering' }]);
    // after an upload the host lists the datasets again with the new one to pick
    view.handle({ type: 'datasets', datasets: [dataset(iris)], select: 'iris:2' });
    expect(actions.at(-1)).toEqual({ action: 'selectDataset', ref: 'iris:2' });
  });

  it("previews the dataset picked (classes with thumbnails), then trains with the type's defaults", () => {
    const { view, actions, $ } = open();
    (view.element.querySelector('[data-model-type="image-classification"]') as HTMLElement).click();
    const select = $('.emkit-nocode-dataset') as HTMLSelectElement;
    select.value = 'shapes:1';
    select.dispatchEvent(new Event('change'));
    expect(actions).toEqual([{ action: 'selectDataset', ref: 'shapes:1' }]);
    expect($('.emkit-nocode-choices')?.hidden).toBe(true);
    view.handle({ type: 'preview', ref: 'shapes:1', dataset: dataset(shapes), preview: shapes });
    expect([...view.element.querySelectorAll('.emkit-dataset-class h4 span:first-child')].map((e) => e.textContent)).toEqual([
      'circle',
      'square',
    ]);
    expect(view.element.querySelectorAll('.emkit-dataset-class img').length).toBeGreaterThan(0);
    expect($('.emkit-nocode-choices')?.hidden).toBe(false);
    const epochs = $('input[data-field="epochs"]') as HTMLInputElement;
    expect(epochs.value).toBe('15');
    epochs.value = '3';
    epochs.dispatchEvent(new Event('input'));
    ($('[data-emkit-action="train"]') as HTMLElement).click();
    const train = actions.at(-1) as NewModelViewAction & { action: 'train' };
    expect(train.recipe).toBe('image-classification');
    expect(train.body).toMatchObject({
      datasets: { train: 'shapes:1' },
      hyperparameters: { epochs: '3' },
      model: 'shapes-image-classification',
    });
    expect(($('[data-emkit-action="train"]') as HTMLButtonElement).disabled).toBe(true);
    view.handle({ type: 'trainError', message: 'the bridge said no', field: 'epochs' });
    expect($('.emkit-nocode-status')?.textContent).toBe('the bridge said no');
    expect($('input[data-field="epochs"]')?.closest('.emkit-nocode-field')?.classList.contains('emkit-invalid')).toBe(true);
    expect(($('[data-emkit-action="train"]') as HTMLButtonElement).disabled).toBe(false);
  });

  it('offers the columns of a table, keeps the label out of the features, and says what to fix before sending', () => {
    const { view, actions, $ } = open();
    (view.element.querySelector('[data-model-type="number-classification"]') as HTMLElement).click();
    view.handle({ type: 'datasets', datasets: [dataset(iris)], select: 'iris:2' });
    view.handle({ type: 'preview', ref: 'iris:2', dataset: dataset(iris), preview: iris });
    const label = $('select[data-field="label"]') as HTMLSelectElement;
    expect(label.value).toBe('target');
    const features = () =>
      [...view.element.querySelectorAll<HTMLInputElement>('.emkit-nocode-features input')].map(
        (b) => `${b.value}${b.checked ? '+' : ''}`,
      );
    expect(features()).toEqual(['sepal_length+', 'sepal_width+', 'petal_length+', 'petal_width+']);
    label.value = 'petal_width';
    label.dispatchEvent(new Event('change'));
    expect(features()).toEqual(['sepal_length+', 'sepal_width+', 'petal_length+', 'target']);
    const k = $('input[data-field="k"]') as HTMLInputElement;
    k.value = '0';
    k.dispatchEvent(new Event('input'));
    ($('[data-emkit-action="train"]') as HTMLElement).click();
    expect($('.emkit-nocode-status')?.textContent).toBe('K must be a whole number from 1 to 100.');
    expect(actions.some((a) => a.action === 'train')).toBe(false);
  });
});

const noCodeTraining = (overrides: Partial<Training>): Training =>
  ({
    id: 'tr-1',
    name: 'shapes-image-classification-20261206-231507',
    state: 'RUNNING',
    stateReason: null,
    experimentName: 'default',
    environment: null,
    python: '/usr/bin/python3',
    instanceCount: 1,
    cluster: null,
    placement: [],
    earlyStopping: null,
    datasets: { train: 'shapes:1' },
    hyperparameters: { epochs: '3' },
    recipe: 'image-classification',
    model: null,
    evaluation: null,
    quality: null,
    startedAt: '2026-12-06T23:15:07.000Z',
    endedAt: null,
    ...overrides,
  }) as unknown as Training;

describe("a no-code training's view", () => {
  it('ends with the holdout evaluation and a quick test of its model that takes an image', () => {
    const actions: TrainingViewAction[] = [];
    const view = new TrainingView(host(), { t: untranslated, act: (a) => actions.push(a) });
    const $ = (selector: string) => view.element.querySelector<HTMLElement>(selector);
    view.handle({ type: 'training', training: noCodeTraining({}) });
    expect(view.ending).toBeNull();
    expect($('.emkit-section-holdout')).toBeNull();

    const model = { id: 'm-1', name: 'shapes-image-classification', version: 1 };
    view.handle({ type: 'training', training: noCodeTraining({ state: 'COMPLETE', model, evaluation: 'ev-1' }) });
    expect($('.emkit-section-holdout')?.hidden).toBe(false);
    expect($('.emkit-section-quicktest')?.hidden).toBe(false);
    expect($('.emkit-holdout-note')?.hidden).toBe(false);
    const evaluation = {
      id: 'ev-1',
      model,
      data: { path: '/x/holdout', format: 'folder', label: null, features: null, sha256: null },
      task: 'classification',
      threshold: 0.5,
      state: 'COMPLETE',
      stateReason: null,
      rowsDone: figures.multiclass.result.rows,
      result: figures.multiclass.result,
      atThreshold: null,
    } as unknown as Evaluation;
    view.handle({ type: 'evaluation', evaluation });
    expect($('.emkit-holdout-note')?.hidden).toBe(true);
    expect($('.emkit-section-holdout .emkit-headline')?.textContent).toContain('Accuracy');
    expect(view.element.querySelectorAll('.emkit-section-holdout .emkit-class-table tbody tr').length).toBe(
      figures.multiclass.result.classification?.classes.length,
    );

    // an image model: no JSON box, a file is asked for
    expect($('.emkit-quicktest-json')?.hidden).toBe(true);
    expect(($('.emkit-quicktest-file') as HTMLInputElement).accept).toBe('image/*');
    ($('[data-emkit-action="quickTest"]') as HTMLElement).click();
    expect($('.emkit-prediction-status')?.textContent).toBe('Choose a file first.');
    expect(actions.filter((a) => a.action === 'predict')).toEqual([]);
  });

  it('sends the quick test for its model and shows the latest answer', async () => {
    const actions: TrainingViewAction[] = [];
    const view = new TrainingView(host(), { t: untranslated, act: (a) => actions.push(a) });
    const model = { id: 'm-1', name: 'shapes-image-classification', version: 1 };
    view.handle({ type: 'training', training: noCodeTraining({ state: 'COMPLETE', model, evaluation: 'ev-1' }) });
    const quickTest = view.ending?.quickTest;
    if (!quickTest) throw new Error('a no-code training has a quick test');
    await quickTest.chooseFile(new File([new Uint8Array([137, 80, 78, 71])], 'three.png', { type: 'image/png' }));
    quickTest.submit();
    const predict = actions.at(-1) as TrainingViewAction & { action: 'predict' };
    expect(predict).toMatchObject({ action: 'predict', modelId: 'm-1', input: { kind: 'file', name: 'three.png' } });
    view.handle({
      type: 'prediction',
      requestId: predict.requestId - 1,
      prediction: { predictions: ['old'], warm: true, milliseconds: 1 },
    });
    expect(view.element.querySelector('.emkit-quicktest-label')).toBeNull();
    view.handle({
      type: 'prediction',
      requestId: predict.requestId,
      prediction: { predictions: ['square'], scores: [[0.1, 0.9]], classes: ['circle', 'square'], warm: true, milliseconds: 3 },
    });
    expect(view.element.querySelector('.emkit-quicktest-label')?.textContent).toBe('square');
    view.dispose();
  });
});
