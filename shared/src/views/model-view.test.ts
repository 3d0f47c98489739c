// @vitest-environment happy-dom
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ModelViewAction, untranslated } from '../feeds/protocol.js';
import type { Evaluation, EvaluationResult, ModelIterations, ThresholdFigures } from '../schemas/evaluations.js';
import { THRESHOLD_DEBOUNCE_MS } from './class-table.js';
import { rowShares } from './confusion-matrix.js';
import { ModelView } from './model-view.js';
import { prColumns } from './pr-curve-chart.js';
import { parseInstances } from './quick-test.js';

/** Real figures: scikit-learn models and metrics, made by fixtures/make_fixtures.py. */
interface Fixture {
  result: EvaluationResult;
  metrics?: Record<string, number>;
  atThreshold?: Record<string, ThresholdFigures>;
}
const fixtures = JSON.parse(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'evaluations.json'), 'utf8'),
) as Record<'binary' | 'multiclass' | 'regression', Fixture>;
const binary = fixtures.binary as Required<Fixture>;
const multiclass = fixtures.multiclass as Required<Fixture>;

const host = () => {
  const element = document.createElement('div');
  document.body.appendChild(element);
  return element;
};

const SHA = 'a'.repeat(64);
const OTHER_SHA = 'b'.repeat(64);

function evaluation(fixture: Fixture, overrides: Partial<Evaluation> = {}): Evaluation {
  return {
    id: 'ev-3',
    model: { id: 'm3', name: 'cancer', version: 3 },
    data: { path: '/data/cancer-test.csv', format: 'csv', label: 'label', features: null, sha256: SHA },
    task: fixture.result.task,
    threshold: 0.5,
    maxErrors: 50,
    batchRows: 4096,
    environment: null,
    state: 'COMPLETE',
    stateReason: null,
    rowsDone: fixture.result.rows,
    result: fixture.result,
    atThreshold: fixture.atThreshold?.['0.5'] ?? null,
    createdAt: '2026-12-06T10:00:00.000Z',
    updatedAt: '2026-12-06T10:00:01.000Z',
    startedAt: '2026-12-06T10:00:00.000Z',
    endedAt: '2026-12-06T10:00:01.000Z',
    ...overrides,
  };
}

function summary(version: number, metrics: Record<string, number | null>) {
  const {
    result: _r,
    atThreshold: _a,
    ...rest
  } = evaluation(binary, {
    id: `ev-${version}`,
    model: { id: `m${version}`, name: 'cancer', version },
  });
  return { ...rest, metrics };
}

const iterations = (datasets = 1): ModelIterations => ({
  name: 'cancer',
  dataset: { sha256: SHA, path: '/data/cancer-test.csv' },
  datasets: [
    { sha256: SHA, path: '/data/cancer-test.csv', evaluations: 3 },
    ...(datasets > 1 ? [{ sha256: OTHER_SHA, path: '/data/cancer-2026.csv', evaluations: 1 }] : []),
  ],
  iterations: [
    { modelId: 'm1', version: 1, aliases: [], evaluation: summary(1, { accuracy: 0.9, macroF1: 0.88, rocAuc: 0.95 }) },
    { modelId: 'm2', version: 2, aliases: ['production'], evaluation: null },
    { modelId: 'm3', version: 3, aliases: ['staging'], evaluation: summary(3, binary.metrics) },
  ],
});

function setUp() {
  const actions: ModelViewAction[] = [];
  const view = new ModelView(host(), { name: 'cancer', t: untranslated, act: (a) => actions.push(a) });
  const $ = <E extends Element = HTMLElement>(selector: string) => view.element.querySelector<E>(selector);
  const $$ = (selector: string) => [...view.element.querySelectorAll<HTMLElement>(selector)];
  return { view, actions, $, $$ };
}

const cells = (row: HTMLElement | null, name: string) => row?.querySelector(`.emkit-${name}`)?.textContent;

describe('model view: iterations', () => {
  it('lines the versions up newest first, marks the best figure, and shows a version when its row is clicked', () => {
    const { view, actions, $, $$ } = setUp();
    view.handle({ type: 'iterations', iterations: iterations() });
    const rows = $$('tr.emkit-iteration');
    expect(rows.map((r) => r.dataset.modelId)).toEqual(['m3', 'm2', 'm1']);
    expect(rows[0]?.textContent).toContain('@staging');
    expect(rows[1]?.textContent).toContain('not evaluated');
    expect($$('.emkit-iterations-table thead th').map((th) => th.textContent)).toEqual([
      'Version',
      'State',
      'Accuracy',
      'Macro F1',
      'Weighted F1',
      'ROC AUC',
    ]);
    // v3 (0.937) beats v1 (0.9) on accuracy; v1 has no weighted F1
    expect(rows[0]?.querySelector('[data-metric="accuracy"]')?.className).toContain('emkit-best');
    expect(rows[0]?.querySelector('[data-metric="accuracy"]')?.textContent).toBe('0.9371');
    expect(rows[2]?.querySelector('[data-metric="accuracy"]')?.className).not.toContain('emkit-best');
    expect(rows[2]?.querySelector('[data-metric="weightedF1"]')?.textContent).toBe('—');
    // one version with a weighted F1: nothing to beat, nothing marked
    expect(rows[0]?.querySelector('[data-metric="weightedF1"]')?.className).not.toContain('emkit-best');
    // one dataset: named, no picker
    expect($('.emkit-dataset-picker')?.hidden).toBe(true);
    expect($('.emkit-dataset-note')?.textContent).toBe('/data/cancer-test.csv');

    rows[2]?.click();
    expect(actions).toEqual([{ action: 'selectVersion', modelId: 'm1' }]);
    view.dispose();
  });

  it('offers a dataset picker when versions were evaluated on several', () => {
    const { view, actions, $ } = setUp();
    view.handle({ type: 'iterations', iterations: iterations(2) });
    const picker = $<HTMLSelectElement>('.emkit-dataset-picker');
    expect(picker?.hidden).toBe(false);
    expect([...(picker?.options ?? [])].map((o) => o.textContent)).toEqual([
      '/data/cancer-test.csv (aaaaaaaa, 3 evaluations)',
      '/data/cancer-2026.csv (bbbbbbbb, 1 evaluations)',
    ]);
    if (!picker) throw new Error('no picker');
    picker.value = OTHER_SHA;
    picker.dispatchEvent(new Event('change'));
    expect(actions).toEqual([{ action: 'selectDataset', sha256: OTHER_SHA }]);
    view.dispose();
  });
});

describe('model view: a classification evaluation', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('shows the headline figures, the per-class table at the threshold, and the mistakes', () => {
    const { view, $, $$ } = setUp();
    view.handle({ type: 'iterations', iterations: iterations() });
    view.handle({ type: 'evaluation', modelId: 'm3', evaluation: evaluation(binary) });
    expect($('.emkit-version-title')?.textContent).toBe('v3 @staging');
    expect($('.emkit-evaluation-title')?.textContent).toBe('v3 on cancer-test.csv');
    expect($('tr[data-model-id="m3"]')?.getAttribute('aria-selected')).toBe('true');
    const figures = $$('.emkit-figure').map((f) => `${f.lastChild?.textContent}=${f.firstChild?.textContent}`);
    expect(figures).toEqual([
      'Accuracy=0.9371',
      'Macro F1=0.9328',
      'Weighted F1=0.9372',
      'ROC AUC=0.991',
      'Best F1 at threshold 0.05152=0.9626',
    ]);
    const malignant = $('.emkit-class-table tr[data-class="malignant"]');
    // at the evaluation's own threshold (0.5), from the bridge's ThresholdFigures
    const at = binary.atThreshold['0.5']?.perClass[0];
    expect(cells(malignant, 'precision')).toBe(String(Number(at?.precision.toPrecision(4))));
    expect(cells(malignant, 'support')).toBe('53');
    expect(cells(malignant, 'ap')).toBe(
      String(Number(binary.result.classification?.perClass[0]?.averagePrecision?.toPrecision(4))),
    );
    expect($<HTMLInputElement>('.emkit-threshold-slider')?.value).toBe('0.5');
    expect($('.emkit-threshold')?.hidden).toBe(false);
    const mistakes = $$('.emkit-errors tbody tr');
    expect(mistakes).toHaveLength(binary.result.errors.length);
    expect(mistakes[0]?.children[2]?.textContent).toBe(binary.result.errors[0]?.label);
    // most confident mistake first, as the runner ordered them
    expect(mistakes[0]?.children[4]?.textContent).toBe(String(Number(binary.result.errors[0]?.confidence?.toPrecision(4))));
    view.dispose();
  });

  it('asks for the threshold the slider rests on and updates precision and recall with the latest answer', () => {
    const { view, actions, $ } = setUp();
    view.handle({ type: 'evaluation', modelId: 'm3', evaluation: evaluation(binary) });
    // a drag: only where it rests is asked for
    view.evaluation.classes.moveTo(0.6);
    view.evaluation.classes.moveTo(0.7);
    view.evaluation.classes.moveTo(0.8);
    expect(actions).toEqual([]);
    expect($('.emkit-threshold-value')?.textContent).toBe('0.8');
    vi.advanceTimersByTime(THRESHOLD_DEBOUNCE_MS);
    expect(actions).toEqual([{ action: 'threshold', requestId: 1, evaluationId: 'ev-3', threshold: 0.8 }]);
    view.evaluation.classes.moveTo(0.3);
    vi.advanceTimersByTime(THRESHOLD_DEBOUNCE_MS);
    expect(actions[1]).toEqual({ action: 'threshold', requestId: 2, evaluationId: 'ev-3', threshold: 0.3 });

    const row = () => $('.emkit-class-table tr[data-class="malignant"]');
    const before = [cells(row(), 'precision'), cells(row(), 'recall')];
    // the answer for 0.8 comes last but is stale: the slider is at 0.3 now
    view.handle({ type: 'threshold', requestId: 2, figures: binary.atThreshold['0.3'] as ThresholdFigures });
    const at03 = binary.atThreshold['0.3']?.perClass[0];
    expect(cells(row(), 'precision')).toBe(String(Number(at03?.precision.toPrecision(4))));
    expect(cells(row(), 'recall')).toBe(String(Number(at03?.recall.toPrecision(4))));
    expect(cells(row(), 'predicted')).toBe(String(at03?.predicted));
    expect([cells(row(), 'precision'), cells(row(), 'recall')]).not.toEqual(before);
    view.handle({ type: 'threshold', requestId: 1, figures: binary.atThreshold['0.8'] as ThresholdFigures });
    expect(cells(row(), 'recall')).toBe(String(Number(at03?.recall.toPrecision(4))));
    expect($('.emkit-class-figures')?.getAttribute('data-threshold')).toBe('0.3');
    // the PR curve marks where each class stands at that threshold
    expect(view.evaluation.prCurves.marks[0]).toEqual([at03?.recall, at03?.precision]);
    // the macro row moves with it
    expect(cells($('.emkit-class-table tfoot tr'), 'recall')).toBe(
      String(Number(binary.atThreshold['0.3']?.macro.recall?.toPrecision(4))),
    );
    view.dispose();
  });

  it('waits for the pause on keys too: a change event with each arrow key asks nothing at once', () => {
    const { view, actions, $ } = setUp();
    view.handle({ type: 'evaluation', modelId: 'm3', evaluation: evaluation(binary) });
    const slider = $<HTMLInputElement>('.emkit-threshold-slider');
    if (!slider) throw new Error('no slider');
    // what a browser fires for each arrow key on a range input
    for (const value of ['0.51', '0.52', '0.53']) {
      slider.value = value;
      slider.dispatchEvent(new Event('input'));
      slider.dispatchEvent(new Event('change'));
    }
    expect(actions).toEqual([]);
    vi.advanceTimersByTime(THRESHOLD_DEBOUNCE_MS);
    expect(actions).toEqual([{ action: 'threshold', requestId: 1, evaluationId: 'ev-3', threshold: 0.53 }]);
    view.dispose();
  });

  it('draws the confusion matrix as a heat map, each cell its share of the true class', () => {
    const { view, $$ } = setUp();
    view.handle({ type: 'evaluation', modelId: 'm3', evaluation: evaluation(multiclass) });
    const matrix = multiclass.result.classification?.confusionMatrix as number[][];
    const shown = $$('.emkit-confusion-table td');
    expect(shown).toHaveLength(9);
    const cell = (truth: string, predicted: string) =>
      shown.find((c) => c.dataset.true === truth && c.dataset.predicted === predicted) as HTMLElement;
    const versicolor = matrix[1] as number[];
    const total = versicolor.reduce((a, b) => a + b, 0);
    const wrong = cell('versicolor', 'virginica');
    expect(wrong.textContent).toBe(String(versicolor[2]));
    expect(wrong.className).toContain('emkit-cell-wrong');
    expect(Number(wrong.dataset.share)).toBeCloseTo((versicolor[2] as number) / total, 4);
    expect(wrong.style.getPropertyValue('--emkit-heat')).toBe(`${Math.round(((versicolor[2] as number) / total) * 100)}%`);
    const right = cell('setosa', 'setosa');
    expect(right.className).toContain('emkit-cell-right');
    expect(right.className).toContain('emkit-cell-strong');
    expect(right.dataset.share).toBe('1.0000');
    expect($$('.emkit-confusion-table thead th').map((th) => th.textContent)).toEqual([
      'Actual ↓ / Predicted →',
      'setosa',
      'versicolor',
      'virginica',
    ]);
    // the PR curves' legend names each class
    expect($$('.emkit-pr-key').map((k) => k.dataset.class)).toEqual(['setosa', 'versicolor', 'virginica']);
    view.dispose();
  });

  it('says when the model gave no scores, and has no slider then', () => {
    const { view, $ } = setUp();
    const classification = {
      ...(binary.result.classification as NonNullable<EvaluationResult['classification']>),
      hasScores: false,
      noScoresReason: 'the model has no predict_proba',
      prCurves: [],
      bestF1: null,
    };
    view.handle({
      type: 'evaluation',
      modelId: 'm3',
      evaluation: evaluation(binary, { result: { ...binary.result, classification }, atThreshold: null }),
    });
    expect($('.emkit-threshold')?.hidden).toBe(true);
    expect($('.emkit-threshold-note')?.textContent).toBe(
      'No class scores: the figures are those of the predicted labels (the model has no predict_proba).',
    );
    const malignant = $('.emkit-class-table tr[data-class="malignant"]');
    expect(cells(malignant, 'precision')).toBe(String(Number(classification.perClass[0]?.precision?.toPrecision(4))));
    expect(cells(malignant, 'predicted')).toBe('—');
    expect($('.emkit-pr-curve')?.hidden).toBe(true);
    view.dispose();
  });
});

describe('model view: other tasks and states', () => {
  it('shows a regression: its errors, the residual histogram, the largest residuals', () => {
    const { view, $, $$ } = setUp();
    const regression = fixtures.regression.result;
    view.handle({ type: 'evaluation', modelId: 'm3', evaluation: evaluation(fixtures.regression) });
    expect($('.emkit-section-classification')?.hidden).toBe(true);
    expect($('.emkit-section-regression')?.hidden).toBe(false);
    expect($$('.emkit-figure-label').map((l) => l.textContent)).toEqual(['RMSE', 'MAE', 'R²']);
    const bars = $$('.emkit-residuals .emkit-bar');
    expect(bars).toHaveLength(regression.regression?.residuals.counts.length ?? -1);
    const counts = regression.regression?.residuals.counts as number[];
    const tallest = counts.indexOf(Math.max(...counts));
    expect(bars[tallest]?.querySelector<HTMLElement>('.emkit-bar-fill')?.style.width).toBe('100%');
    expect($('.emkit-section-errors h3')?.textContent).toBe('Largest residuals');
    expect($$('.emkit-errors thead th').map((th) => th.textContent)).toContain('Residual');
    view.dispose();
  });

  it('shows a clustering: its silhouette and cluster sizes, no mistakes table', () => {
    const { view, $, $$ } = setUp();
    const result: EvaluationResult = {
      task: 'clustering',
      rows: 150,
      seconds: 0.1,
      classification: null,
      regression: null,
      clustering: {
        clusters: [
          { cluster: 0, size: 62 },
          { cluster: 1, size: 50 },
          { cluster: 2, size: 38 },
        ],
        silhouette: 0.5528,
      },
      errors: [],
    };
    view.handle({ type: 'evaluation', modelId: 'm3', evaluation: evaluation({ result }, { atThreshold: null }) });
    expect($$('.emkit-figure').map((f) => f.textContent)).toEqual(['0.5528Silhouette']);
    expect($$('.emkit-clusters .emkit-bar').map((b) => b.textContent)).toEqual(['062', '150', '238']);
    expect($('.emkit-section-errors')?.hidden).toBe(true);
    view.dispose();
  });

  it('follows a running evaluation: rows done and a stop button, then its figures', () => {
    const { view, actions, $ } = setUp();
    view.handle({
      type: 'evaluation',
      modelId: 'm3',
      evaluation: evaluation(binary, { state: 'RUNNING', rowsDone: 4096, result: null, atThreshold: null, endedAt: null }),
    });
    expect($('.emkit-evaluation-state')?.textContent).toBe('RUNNING');
    expect($('.emkit-evaluation-progress')?.textContent).toBe(`${(4096).toLocaleString()} rows done`);
    expect($('.emkit-section-classification')?.hidden).toBe(true);
    $<HTMLButtonElement>('[data-emkit-action="stopEvaluation"]')?.click();
    expect(actions).toEqual([{ action: 'stopEvaluation', evaluationId: 'ev-3' }]);
    view.handle({ type: 'evaluation', modelId: 'm3', evaluation: evaluation(binary) });
    expect($('.emkit-evaluation-state')?.textContent).toBe('COMPLETE');
    expect($('[data-emkit-action="stopEvaluation"]')?.hidden).toBe(true);
    expect($('.emkit-section-classification')?.hidden).toBe(false);
    view.handle({
      type: 'evaluation',
      modelId: 'm3',
      evaluation: evaluation(binary, { id: 'ev-4', state: 'FAILED', stateReason: 'label column "y" not found', result: null }),
    });
    expect($('.emkit-evaluation-reason')?.textContent).toBe('label column "y" not found');
    view.dispose();
  });

  it('says a version has not been evaluated, and asks its host to evaluate or promote it', () => {
    const { view, actions, $ } = setUp();
    view.handle({ type: 'iterations', iterations: iterations() });
    view.handle({ type: 'evaluation', modelId: 'm2', evaluation: null });
    expect($('.emkit-evaluation')?.hidden).toBe(true);
    expect($('.emkit-no-evaluation')?.hidden).toBe(false);
    $<HTMLButtonElement>('[data-emkit-action="evaluate"]')?.click();
    $<HTMLButtonElement>('[data-emkit-action="promote"]')?.click();
    expect(actions).toEqual([
      { action: 'evaluate', modelId: 'm2' },
      { action: 'promote', modelId: 'm2' },
    ]);
    view.handle({ type: 'error', message: 'model cancer not found' });
    expect($('.emkit-feed-error')?.textContent).toBe('model cancer not found');
    view.dispose();
  });
});

describe('model view: quick test', () => {
  it('sends JSON instances for the version shown and lists each prediction with its best scores', () => {
    const { view, actions, $, $$ } = setUp();
    view.handle({ type: 'evaluation', modelId: 'm3', evaluation: evaluation(binary) });
    view.quickTest.instances = '[[1, 2';
    $<HTMLButtonElement>('[data-emkit-action="quickTest"]')?.click();
    expect(actions).toEqual([]);
    expect($('.emkit-quicktest .emkit-prediction-status')?.textContent).toMatch(/^The instances are not a JSON list: /);

    view.quickTest.instances = '{"instances": [[17.99, 10.38], [13.5, 14.3]]}';
    $<HTMLButtonElement>('[data-emkit-action="quickTest"]')?.click();
    expect(actions).toEqual([
      {
        action: 'predict',
        requestId: 1,
        modelId: 'm3',
        input: {
          kind: 'json',
          instances: [
            [17.99, 10.38],
            [13.5, 14.3],
          ],
        },
      },
    ]);
    expect($<HTMLButtonElement>('[data-emkit-action="quickTest"]')?.disabled).toBe(true);
    const prediction = {
      predictions: ['malignant', 'benign'],
      scores: [
        [0.97, 0.03],
        [0.12, 0.88],
      ],
      classes: ['malignant', 'benign'],
      warm: false,
      milliseconds: 812.4,
    };
    view.handle({ type: 'prediction', requestId: 1, prediction });
    const rows = $$('.emkit-quicktest-table tbody tr');
    expect(rows.map((r) => r.querySelector('.emkit-quicktest-label')?.textContent)).toEqual(['malignant', 'benign']);
    expect([...(rows[1]?.querySelectorAll<HTMLElement>('.emkit-score') ?? [])].map((s) => s.textContent)).toEqual([
      'benign0.88',
      'malignant0.12',
    ]);
    expect($('.emkit-quicktest .emkit-prediction-status')?.textContent).toBe('Answered in 812 ms (the model was loaded first)');
    // an error for an older request is not shown over the newer answer
    view.handle({ type: 'predictionError', requestId: 0, message: 'old' });
    expect(rows[0]?.isConnected).toBe(true);
    view.dispose();
  });

  it('sends a chosen file instead, and previews an image', async () => {
    const { view, actions, $ } = setUp();
    view.handle({ type: 'evaluation', modelId: 'm3', evaluation: evaluation(binary) });
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    await view.quickTest.chooseFile(new File([png], 'cat.png', { type: 'image/png' }));
    expect($<HTMLImageElement>('.emkit-quicktest-preview')?.hidden).toBe(false);
    expect($<HTMLImageElement>('.emkit-quicktest-preview')?.src).toBe('data:image/png;base64,iVBORw0KGgo=');
    expect($('.emkit-quicktest-filename')?.textContent).toBe('cat.png (8 B)');
    $<HTMLButtonElement>('[data-emkit-action="quickTest"]')?.click();
    expect(actions).toEqual([
      {
        action: 'predict',
        requestId: 1,
        modelId: 'm3',
        input: { kind: 'file', name: 'cat.png', type: 'image/png', base64: 'iVBORw0KGgo=' },
      },
    ]);
    view.handle({ type: 'predictionError', requestId: 1, message: 'this model takes JSON instances' });
    expect($('.emkit-quicktest .emkit-prediction-status.emkit-tone-failed')?.textContent).toBe('this model takes JSON instances');
    // typing JSON again forgets the file
    view.quickTest.instances = '[[1, 2]]';
    expect($<HTMLImageElement>('.emkit-quicktest-preview')?.hidden).toBe(true);
    view.dispose();
  });
});

describe('model view: styles', () => {
  it('hide what is hidden, even a flex toolbar (the dataset picker, the threshold)', () => {
    const { view, $ } = setUp();
    view.handle({ type: 'iterations', iterations: { ...iterations(), datasets: [], dataset: null } });
    const datasets = $('.emkit-iterations .emkit-toolbar');
    expect(datasets?.hidden).toBe(true);
    expect(getComputedStyle(datasets as Element).display).toBe('none');
    view.dispose();
  });
});

describe('model view: pure parts', () => {
  it('parses instances as a list or an endpoint body', () => {
    expect(parseInstances('[[1, 2]]')).toEqual({ ok: true, instances: [[1, 2]] });
    expect(parseInstances('{"instances": ["a"]}')).toEqual({ ok: true, instances: ['a'] });
    expect(parseInstances('[]').ok).toBe(false);
    expect(parseInstances('{"x": 1}').ok).toBe(false);
  });

  it('gives row shares for the heat map, an empty row all zero', () => {
    expect(
      rowShares([
        [3, 1],
        [0, 0],
      ]),
    ).toEqual([
      [0.75, 0.25],
      [0, 0],
    ]);
  });

  it('aligns the PR curves on recall, ascending, keeping the best precision at a repeated recall', () => {
    const [xs, a, b] = prColumns([
      {
        class: 'a',
        points: [
          { threshold: 0.1, precision: 0.5, recall: 1 },
          { threshold: 0.2, precision: 0.6, recall: 1 },
          { threshold: 0.9, precision: 1, recall: 0.5 },
        ],
      },
      { class: 'b', points: [{ threshold: 0.4, precision: 0.8, recall: 0.75 }] },
    ]);
    expect(xs).toEqual([0.5, 0.75, 1]);
    expect(a).toEqual([1, null, 0.6]);
    expect(b).toEqual([null, 0.8, null]);
    // and the real curves are ascending in x
    const [realX] = prColumns(multiclass.result.classification?.prCurves ?? []);
    expect(realX.every((x, i) => i === 0 || x > (realX[i - 1] as number))).toBe(true);
  });
});
