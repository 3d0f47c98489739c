import { formatFigure, headlineKeys, headlineLabel, lowerIsBetter } from '../evaluation-figures.js';
import type { Translate } from '../feeds/protocol.js';
import { stateTone } from '../presentation.js';
import type { ModelIterations } from '../schemas/evaluations.js';
import { type ControlElement, control, h } from './dom.js';

/** Per headline figure with two values or more, the best among the versions (the largest, or the smallest error). */
export function bestValues(iterations: ModelIterations): Map<string, number> {
  const metrics = iterations.iterations.flatMap((i) => (i.evaluation ? [i.evaluation.metrics] : []));
  const best = new Map<string, number>();
  for (const key of headlineKeys(metrics)) {
    const values = metrics.map((m) => m[key]).filter((v): v is number => typeof v === 'number');
    // a best needs something to beat
    if (values.length > 1) best.set(key, lowerIsBetter(key) ? Math.min(...values) : Math.max(...values));
  }
  return best;
}

/**
 * The model's versions as iterations, side by side: each one's headline figures on one
 * dataset (a picker when several were used), the best of each column marked. A row is a
 * button: it shows that version's evaluation below.
 */
export class IterationsTable {
  readonly element: HTMLElement;
  private readonly doc: Document;
  private readonly datasets: ControlElement;
  private readonly datasetBox: HTMLElement;
  private readonly datasetNote: HTMLElement;
  private readonly head: HTMLElement;
  private readonly body: HTMLElement;
  private iterations: ModelIterations | null = null;
  private selected: string | null = null;

  constructor(
    parent: HTMLElement,
    private readonly t: Translate,
    private readonly on: { selectVersion: (modelId: string) => void; selectDataset: (sha256: string) => void },
  ) {
    const doc = parent.ownerDocument;
    this.doc = doc;
    this.datasets = control(doc, 'select', { className: 'emkit-dataset-picker', label: t('Dataset') });
    this.datasets.addEventListener('change', () => {
      if (this.datasets.value) this.on.selectDataset(this.datasets.value);
    });
    this.datasetNote = h(doc, 'span', { className: 'emkit-muted emkit-dataset-note' });
    this.datasetBox = h(doc, 'div', { className: 'emkit-toolbar' }, [
      h(doc, 'label', { className: 'emkit-muted', text: t('Dataset') }),
      this.datasets,
      this.datasetNote,
    ]);
    // shown once the feed has said which datasets there are
    this.datasetBox.hidden = true;
    this.head = h(doc, 'thead');
    this.body = h(doc, 'tbody');
    this.element = h(doc, 'div', { className: 'emkit-iterations' }, [
      this.datasetBox,
      h(doc, 'table', { className: 'emkit-table emkit-iterations-table' }, [this.head, this.body]),
    ]);
    parent.appendChild(this.element);
    this.body.addEventListener('click', (event) => {
      const id = (event.target as HTMLElement).closest('tr')?.dataset.modelId;
      if (id) this.on.selectVersion(id);
    });
    this.body.addEventListener('keydown', (event) => {
      const id = (event.target as HTMLElement).closest('tr')?.dataset.modelId;
      if (id && (event.key === 'Enter' || event.key === ' ')) {
        event.preventDefault();
        this.on.selectVersion(id);
      }
    });
  }

  set(iterations: ModelIterations): void {
    this.iterations = iterations;
    this.renderDatasets(iterations);
    this.render();
  }

  /** Marks the version whose evaluation is shown. */
  select(modelId: string | null): void {
    this.selected = modelId;
    for (const row of Array.from(this.body.querySelectorAll<HTMLElement>('tr[data-model-id]')))
      row.setAttribute('aria-selected', String(row.dataset.modelId === modelId));
  }

  private renderDatasets(iterations: ModelIterations): void {
    const chosen = iterations.dataset?.sha256 ?? '';
    this.datasets.replaceChildren(
      ...iterations.datasets.map((d) =>
        control(this.doc, 'option', {
          text: `${d.path} (${d.sha256.slice(0, 8)}, ${this.t('{0} evaluations', d.evaluations)})`,
          attrs: d.sha256 === chosen ? { value: d.sha256, selected: '' } : { value: d.sha256 },
        }),
      ),
    );
    this.datasets.value = chosen;
    // one dataset: its name is enough, no choice to make
    this.datasets.hidden = iterations.datasets.length < 2;
    this.datasetNote.textContent =
      iterations.datasets.length < 2 ? (iterations.dataset?.path ?? this.t('not evaluated yet')) : '';
    this.datasetBox.hidden = !iterations.datasets.length;
  }

  private render(): void {
    const iterations = this.iterations;
    if (!iterations) return;
    const doc = this.doc;
    const keys = headlineKeys(iterations.iterations.flatMap((i) => (i.evaluation ? [i.evaluation.metrics] : [])));
    const best = bestValues(iterations);
    this.head.replaceChildren(
      h(doc, 'tr', {}, [
        h(doc, 'th', { text: this.t('Version') }),
        h(doc, 'th', { text: this.t('State') }),
        ...keys.map((key) => h(doc, 'th', { className: 'emkit-num', text: this.t(headlineLabel(key)) })),
      ]),
    );
    // newest first, as the sidebars list versions
    const lines = [...iterations.iterations].reverse();
    this.body.replaceChildren(
      ...lines.map((line) => {
        const evaluation = line.evaluation;
        return h(
          doc,
          'tr',
          { className: 'emkit-iteration', attrs: { 'data-model-id': line.modelId, tabindex: '0', role: 'button' } },
          [
            h(doc, 'th', { text: `v${line.version}`, attrs: { scope: 'row' } }, [
              ...line.aliases.map((alias) => h(doc, 'span', { className: 'emkit-badge emkit-default', text: `@${alias}` })),
            ]),
            h(doc, 'td', {}, [
              evaluation
                ? h(doc, 'span', { className: `emkit-badge emkit-tone-${stateTone(evaluation.state)}`, text: evaluation.state })
                : h(doc, 'span', { className: 'emkit-muted', text: this.t('not evaluated') }),
            ]),
            ...keys.map((key) => {
              const value = evaluation?.metrics[key] ?? null;
              const isBest = value !== null && best.get(key) === value;
              return h(doc, 'td', {
                className: isBest ? 'emkit-num emkit-best' : 'emkit-num',
                text: formatFigure(value),
                attrs: { 'data-metric': key },
              });
            }),
          ],
        );
      }),
    );
    this.select(this.selected);
  }
}
