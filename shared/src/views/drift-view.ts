import type { Translate } from '../feeds/protocol.js';
import { formatTime } from '../format.js';
import { type DriftMatrix, driftedFeatures, driftMatrix } from '../monitoring/drift-matrix.js';
import type { EndpointDrift, FeatureDrift } from '../schemas/monitoring.js';
import { control, h } from './dom.js';
import { formatValue } from './metrics-chart.js';

/** Windows shown side by side at most: the newest. */
export const DRIFT_WINDOWS_SHOWN = 12;

/** PSI at which a cell is fully coloured (0.25 is commonly read as a large shift). */
const PSI_FULL = 0.5;

/**
 * A stage's drift: one row per input feature (the worst first, the drifted marked), one column
 * per window (the newest right, the current one still filling), each cell the feature's PSI
 * shaded by size, with its test and p-value on hover; the predictions' drift last.
 */
export class DriftView {
  readonly element: HTMLElement;
  private readonly doc: Document;
  private readonly reference: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly picker: HTMLElement & { value: string };
  private readonly table: HTMLElement;
  private drift: EndpointDrift | null = null;
  private stage: string | null = null;
  private matrixShown: DriftMatrix | null = null;

  constructor(
    parent: HTMLElement,
    private readonly t: Translate,
  ) {
    this.doc = parent.ownerDocument;
    const doc = this.doc;
    this.reference = h(doc, 'p', { className: 'emkit-muted emkit-drift-reference' });
    this.summary = h(doc, 'p', { className: 'emkit-drift-summary', attrs: { role: 'status' } });
    this.picker = control(doc, 'select', { className: 'emkit-drift-stage', label: t('Stage') });
    this.picker.addEventListener('change', () => {
      this.stage = this.picker.value || null;
      this.render();
    });
    this.table = h(doc, 'table', { className: 'emkit-table emkit-drift-table' });
    this.element = h(doc, 'div', { className: 'emkit-drift' }, [
      h(doc, 'div', { className: 'emkit-toolbar' }, [this.picker]),
      this.reference,
      this.summary,
      h(doc, 'div', { className: 'emkit-scroll-x' }, [this.table]),
    ]);
    parent.appendChild(this.element);
    this.render();
  }

  /** The matrix drawn last (tests and the hosts read it). */
  get matrix(): DriftMatrix | null {
    return this.matrixShown;
  }

  setDrift(drift: EndpointDrift): void {
    this.drift = drift;
    this.render();
  }

  dispose(): void {
    this.element.remove();
  }

  private render(): void {
    const doc = this.doc;
    const t = this.t;
    const drift = this.drift;
    const reference = drift?.reference;
    this.reference.textContent = reference
      ? t('Reference: {0} ({1} rows; {2})', reference.source, reference.rows, reference.columns.join(', '))
      : drift
        ? t('No reference: give the stage one in its settings, or train its model on a table.')
        : '';
    const matrix = drift ? driftMatrix(drift, this.stage) : null;
    this.matrixShown = matrix;
    this.picker.hidden = !matrix || matrix.stages.length < 2;
    if (matrix && matrix.stages.length > 1) {
      this.picker.replaceChildren(
        ...matrix.stages.map((stage) => control(doc, 'option', { text: stage, attrs: { value: stage } })),
      );
      this.picker.value = matrix.stage ?? '';
    }
    if (!matrix || matrix.windows.length === 0) {
      this.summary.textContent = t("No drift windows yet: turn on payload logging and drift in a stage's settings.");
      this.table.replaceChildren();
      this.table.hidden = true;
      return;
    }
    this.table.hidden = false;
    const drifted = driftedFeatures(matrix);
    const judged = matrix.windows.some((w) => w.judged);
    this.summary.textContent = !judged
      ? t('Not judged yet: a window needs more logged inputs.')
      : drifted.length
        ? t('Drifted: {0}', drifted.join(', '))
        : t('No feature drifted in the latest judged window.');
    this.summary.dataset.drifted = String(drifted.length);
    const shown = matrix.windows.slice(-DRIFT_WINDOWS_SHOWN);
    const offset = matrix.windows.length - shown.length;
    const head = h(doc, 'tr', {}, [
      h(doc, 'th', { text: t('Feature') }),
      ...shown.map((window) =>
        h(doc, 'th', {
          className: `emkit-num${window.judged ? '' : ' emkit-muted'}`,
          text: formatTime(window.start).slice(-8),
          title: `${formatTime(window.start)} – ${formatTime(window.end)} · ${t('{0} inputs', window.count)}${
            window.judged ? '' : ` · ${t('not judged')}`
          }`,
        }),
      ),
    ]);
    const rows = matrix.rows.map((row) =>
      h(
        doc,
        'tr',
        {
          className: row.latest?.drifted ? 'emkit-drifted' : '',
          attrs: { 'data-feature': row.feature, 'data-drifted': String(row.latest?.drifted ?? false) },
        },
        [
          h(doc, 'td', { className: 'emkit-drift-feature' }, [
            h(doc, 'span', { text: row.prediction ? t('Predictions') : row.feature }),
            row.latest?.drifted ? h(doc, 'span', { className: 'emkit-badge emkit-tone-failed', text: t('drifted') }) : null,
          ]),
          ...row.cells.slice(offset).map((cell) => this.cell(cell)),
        ],
      ),
    );
    this.table.replaceChildren(h(doc, 'thead', {}, [head]), h(doc, 'tbody', {}, rows));
  }

  private cell(cell: FeatureDrift | null): HTMLElement {
    if (!cell) return h(this.doc, 'td', { className: 'emkit-num emkit-muted', text: '—' });
    const strength = Math.min(1, Math.max(0, cell.psi) / PSI_FULL);
    const td = h(this.doc, 'td', {
      className: `emkit-num emkit-drift-cell${cell.drifted ? ' emkit-drift-cell-drifted' : ''}`,
      text: formatValue(cell.psi),
      title: this.t(
        'PSI {0} · {1} {2}, p = {3}',
        formatValue(cell.psi),
        cell.test === 'ks' ? 'KS' : 'χ²',
        formatValue(cell.statistic),
        formatValue(cell.pValue),
      ),
    });
    td.style.setProperty('--emkit-drift', String(Math.round(strength * 100) / 100));
    return td;
  }
}
