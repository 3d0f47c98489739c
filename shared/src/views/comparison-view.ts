import type { ComparisonViewAction, ComparisonViewMessage } from '../feeds/comparison-feed.js';
import type { Translate } from '../feeds/protocol.js';
import { formatBytes, formatDuration } from '../format.js';
import { stateTone } from '../presentation.js';
import type { ExperimentComparison } from '../schemas/metrics.js';
import { isSettled, trainingStates } from '../states.js';
import {
  bestRows,
  type ComparisonColumn,
  type ComparisonRow,
  type ComparisonSort,
  cellValue,
  comparisonColumns,
  filterColumns,
  nextSort,
  sortRows,
} from './comparison-table.js';
import { control, h } from './dom.js';
import { formatValue } from './metrics-chart.js';
import { ensureStyles } from './styles.js';

const STYLE_ID = 'emkit-comparison-style';

/** The table's few rules of its own, beside the views' stylesheet (same theme variables). */
const CSS = `
.emkit-comparison-wrap { overflow: auto; }
.emkit-comparison { width: auto; min-width: 100%; }
.emkit-comparison th, .emkit-comparison td { white-space: nowrap; }
.emkit-comparison td.emkit-number { text-align: right; font-family: var(--emkit-mono); }
.emkit-comparison th.emkit-number { text-align: right; }
.emkit-comparison th.emkit-metric-group { text-align: center; border-bottom: 0; }
.emkit-comparison .emkit-sort {
  font: inherit; color: inherit; background: none; border: 0; padding: 0; cursor: pointer; display: inline-flex; gap: 4px;
}
.emkit-comparison .emkit-sort:hover { color: var(--emkit-fg); text-decoration: underline; }
.emkit-comparison th[aria-sort] { color: var(--emkit-fg); }
.emkit-comparison tbody tr { cursor: pointer; }
.emkit-comparison tbody tr:hover, .emkit-comparison tbody tr:focus-visible { background: var(--emkit-bg-alt); outline: none; }
.emkit-comparison td.emkit-best { font-weight: 600; color: var(--emkit-ok); }
.emkit-comparison td.emkit-best::before { content: '★ '; }
.emkit-comparison-filter { min-width: 280px; }
`;

function ensureComparisonStyles(doc: Document): void {
  ensureStyles(doc);
  if (doc.getElementById(STYLE_ID)) return;
  const style = doc.createElement('style');
  style.id = STYLE_ID;
  style.textContent = CSS;
  doc.head.appendChild(style);
}

/**
 * An experiment's trainings side by side: one row per training with its state, duration,
 * hyperparameters and each metric's last and best value. A header sorts by its column (again:
 * the other way), each metric column's best value is marked, the filter keeps the
 * hyperparameter and metric columns whose name holds its text, and a row opens its training.
 * Like the other views it renders its feed's messages and asks its host to act.
 */
export class ComparisonView {
  readonly element: HTMLElement;
  private readonly doc: Document;
  private readonly t: Translate;
  private readonly act: (action: ComparisonViewAction) => void;
  private readonly title: HTMLElement;
  private readonly count: HTMLElement;
  private readonly error: HTMLElement;
  private readonly filterBox: HTMLElement & { value: string };
  private readonly table: HTMLTableElement;
  private readonly empty: HTMLElement;
  private comparison: ExperimentComparison | null = null;
  private sort: ComparisonSort | null = null;
  private filter = '';
  private readonly clock: ReturnType<typeof setInterval>;

  constructor(parent: HTMLElement, options: { t: Translate; act: (action: ComparisonViewAction) => void }) {
    this.doc = parent.ownerDocument;
    ensureComparisonStyles(this.doc);
    const doc = this.doc;
    const { t } = options;
    this.t = t;
    this.act = options.act;
    this.title = h(doc, 'span', { className: 'emkit-title' });
    this.count = h(doc, 'span', { className: 'emkit-muted emkit-comparison-count' });
    this.error = h(doc, 'p', { className: 'emkit-reason emkit-feed-error' });
    const label = t('Filter hyperparameters and metrics');
    this.filterBox = control(doc, 'textField', {
      className: 'emkit-input emkit-comparison-filter',
      label,
      attrs: { type: 'search', placeholder: label, 'data-emkit-filter': '' },
    });
    this.filterBox.addEventListener('input', () => {
      this.filter = this.filterBox.value;
      this.render();
    });
    this.table = h(doc, 'table', { className: 'emkit-table emkit-comparison' });
    this.table.addEventListener('click', (event) => this.onClick(event));
    // a focused row opens with Enter or Space, as a link would (a header is a button: it clicks by itself)
    this.table.addEventListener('keydown', (event) => {
      const onRow = (event.target as HTMLElement).matches('tr[data-training-id]');
      if (onRow && (event.key === 'Enter' || event.key === ' ')) this.onClick(event);
    });
    this.empty = h(doc, 'p', { className: 'emkit-muted emkit-comparison-empty' });
    this.element = h(doc, 'div', { className: 'emkit-view emkit-comparison-view' }, [
      h(doc, 'h2', {}, [this.title, this.count]),
      this.error,
      h(doc, 'div', { className: 'emkit-toolbar' }, [
        this.filterBox,
        h(doc, 'span', { className: 'emkit-muted', text: t('Click a row to open its training.') }),
      ]),
      h(doc, 'div', { className: 'emkit-comparison-wrap' }, [this.table]),
      this.empty,
    ]);
    parent.appendChild(this.element);
    this.render();
    // a running training's duration moves on by itself
    this.clock = setInterval(() => this.tick(), 1000);
  }

  handle(message: ComparisonViewMessage): void {
    if (message.type === 'comparison') {
      this.comparison = message.comparison;
      this.error.textContent = '';
      this.render();
    } else {
      this.error.textContent = message.message;
    }
  }

  /** Sorts by a column's key (`name`, `state`, `duration`, `hp:<key>`, `metric:last:<tag>`, `metric:best:<tag>`). */
  sortBy(sort: ComparisonSort | null): void {
    this.sort = sort;
    this.render();
  }

  /** Keeps the hyperparameter and metric columns whose name holds `text`. */
  setFilter(text: string): void {
    this.filter = text;
    this.filterBox.value = text;
    this.render();
  }

  dispose(): void {
    clearInterval(this.clock);
    this.element.remove();
  }

  private onClick(event: Event): void {
    const target = event.target as HTMLElement;
    const header = target.closest<HTMLElement>('[data-sort]');
    if (header) {
      event.preventDefault();
      const key = header.dataset.sort as string;
      this.sortBy(nextSort(this.sort, key));
      // the header row is new (it marks the sort): the focus goes back to the same button
      this.table.querySelector<HTMLElement>(`[data-sort="${selectorEscape(key)}"]`)?.focus();
      return;
    }
    const row = target.closest<HTMLElement>('tr[data-training-id]');
    if (row?.dataset.trainingId) {
      event.preventDefault();
      this.act({ action: 'openTraining', id: row.dataset.trainingId, name: row.dataset.training ?? row.dataset.trainingId });
    }
  }

  private render(): void {
    const comparison = this.comparison;
    this.title.textContent = comparison?.experimentName ?? '';
    const rowsCount = comparison?.trainings.length ?? 0;
    this.count.textContent = comparison ? this.t('Trainings: {0}', rowsCount) : '';
    if (!comparison) {
      this.table.replaceChildren();
      this.empty.textContent = '';
      return;
    }
    const all = comparisonColumns(comparison);
    const columns = filterColumns(all, this.filter);
    const sortColumn = all.find((column) => column.key === this.sort?.column);
    const rows = sortRows(comparison.trainings, sortColumn, this.sort?.direction ?? 'ascending');
    const best = bestRows(comparison.trainings, columns);
    this.update(
      this.head(columns),
      rows.map((row) => this.row(row, columns, best)),
    );
    const hidden = all.length - columns.length;
    this.empty.textContent = !rowsCount
      ? this.t('No trainings in this experiment yet.')
      : hidden && columns.every((column) => column.kind === 'fixed')
        ? this.t('No column matches "{0}".', this.filter.trim())
        : '';
  }

  /**
   * Puts the new header and rows in, keeping every element that did not change: a refresh
   * while trainings log metrics (about once a second) then leaves the row under the pointer
   * or the keyboard focus alone, so a click or Enter on it is not lost.
   */
  private update(head: HTMLElement, rows: readonly HTMLElement[]): void {
    // plain child lists rather than the table API (tHead, rows, cells), which not every DOM has
    const oldHead = this.table.querySelector(':scope > thead');
    if (!oldHead?.isEqualNode(head)) {
      if (oldHead) oldHead.replaceWith(head);
      else this.table.prepend(head);
    }
    const body = this.table.querySelector(':scope > tbody') ?? this.table.appendChild(h(this.doc, 'tbody'));
    const old = Array.from(body.children) as HTMLElement[];
    const sameRows = old.length === rows.length && old.every((row, i) => row.dataset.trainingId === rows[i]?.dataset.trainingId);
    if (!sameRows) {
      body.replaceChildren(...rows);
      return;
    }
    old.forEach((row, i) => {
      const fresh = rows[i] as HTMLElement;
      if (row.isEqualNode(fresh)) return;
      const cells = Array.from(fresh.children);
      if (row.children.length !== cells.length) {
        row.replaceWith(fresh);
        return;
      }
      Array.from(row.children).forEach((cell, j) => {
        const cellNow = cells[j] as Element;
        if (!cell.isEqualNode(cellNow)) cell.replaceWith(cellNow);
      });
    });
  }

  private head(columns: readonly ComparisonColumn[]): HTMLElement {
    const doc = this.doc;
    const top: HTMLElement[] = [];
    const bottom: HTMLElement[] = [];
    const metrics = columns.filter((column) => column.kind === 'metric');
    const twoRows = metrics.length > 0;
    for (const column of columns) {
      if (column.kind === 'metric') {
        if (column.field === 'last') {
          const span = metrics.filter((other) => other.name === column.name).length;
          top.push(
            h(doc, 'th', {
              className: 'emkit-metric-group',
              text: column.name,
              title: column.goal === 'min' ? this.t('Lower is better') : this.t('Higher is better'),
              attrs: { colspan: String(span), 'data-metric': column.name },
            }),
          );
        }
        bottom.push(this.sortHeader(column, column.field === 'last' ? this.t('Last') : this.t('Best')));
        continue;
      }
      const header = this.sortHeader(column, this.columnTitle(column));
      if (twoRows) header.setAttribute('rowspan', '2');
      top.push(header);
    }
    return h(doc, 'thead', {}, [h(doc, 'tr', {}, top), twoRows ? h(doc, 'tr', {}, bottom) : null]);
  }

  private columnTitle(column: ComparisonColumn): string {
    if (column.kind === 'hyperparameter') return column.name;
    if (column.key === 'name') return this.t('Training');
    if (column.key === 'state') return this.t('State');
    if (column.key === 'peakMemory') return this.t('Peak memory');
    if (column.key === 'meanCpu') return this.t('Mean CPU');
    return this.t('Duration');
  }

  private sortHeader(column: ComparisonColumn, text: string): HTMLElement {
    const doc = this.doc;
    const sorted = this.sort?.column === column.key ? this.sort.direction : null;
    const label = column.kind === 'metric' ? `${column.name} ${text}` : text;
    const numeric = column.kind === 'metric' || NUMBER_COLUMNS.has(column.key);
    const header = h(doc, 'th', { className: numeric ? 'emkit-number' : '', attrs: { 'data-column': column.key } }, [
      h(
        doc,
        'button',
        {
          className: 'emkit-sort',
          title: this.t('Sort by {0}', label),
          attrs: { type: 'button', 'data-sort': column.key },
        },
        [
          h(doc, 'span', { text }),
          sorted ? h(doc, 'span', { className: 'emkit-sort-mark', text: sorted === 'ascending' ? '▲' : '▼' }) : null,
        ],
      ),
    ]);
    if (sorted) header.setAttribute('aria-sort', sorted);
    return header;
  }

  private row(row: ComparisonRow, columns: readonly ComparisonColumn[], best: Map<string, Set<string>>): HTMLElement {
    const doc = this.doc;
    const cells = columns.map((column) => {
      const attrs = { 'data-column': column.key };
      if (column.key === 'state')
        return h(doc, 'td', { attrs }, [
          h(doc, 'span', { className: `emkit-badge emkit-tone-${stateTone(row.state)}`, text: row.state }),
        ]);
      const value = cellValue(row, column);
      if (column.key === 'duration') return h(doc, 'td', { className: 'emkit-number', text: this.duration(value), attrs });
      if (column.key === 'peakMemory') return h(doc, 'td', { className: 'emkit-number', text: memoryText(value), attrs });
      if (column.key === 'meanCpu') return h(doc, 'td', { className: 'emkit-number', text: cpuText(value), attrs });
      if (column.kind === 'metric') {
        const isBest = best.get(column.key)?.has(row.id) ?? false;
        const summary = row.metrics[column.name];
        return h(doc, 'td', {
          className: `emkit-number${isBest ? ' emkit-best' : ''}`,
          text: value === null ? '' : formatValue(value as number),
          title: summary && column.field === 'last' ? `@ ${summary.lastStep}` : undefined,
          attrs: isBest ? { ...attrs, 'data-best': '' } : attrs,
        });
      }
      return h(doc, 'td', { text: value === null ? '' : String(value), attrs });
    });
    return h(doc, 'tr', { attrs: { 'data-training-id': row.id, 'data-training': row.name, tabindex: '0', role: 'link' } }, cells);
  }

  private duration(seconds: number | string | null): string {
    return typeof seconds === 'number' ? formatDuration(seconds) : '—';
  }

  /** Moves the durations of running trainings on, in place (a redraw under the pointer would eat a click). */
  private tick(): void {
    const comparison = this.comparison;
    if (!comparison) return;
    const column = { key: 'duration', kind: 'fixed' } as const;
    for (const row of comparison.trainings) {
      if (isSettled(trainingStates, row.state)) continue;
      const cell = this.table.querySelector(`tr[data-training-id="${selectorEscape(row.id)}"] td[data-column="duration"]`);
      if (cell) cell.textContent = this.duration(cellValue(row, column));
    }
  }
}

/** The fixed columns that hold numbers: right-aligned like the metrics. */
const NUMBER_COLUMNS = new Set(['duration', 'peakMemory', 'meanCpu']);

/** A summary the bridge sampled (MiB, as psutil counts), or a dash for a training never sampled (one on a cluster). */
const memoryText = (mb: number | string | null) => (typeof mb === 'number' ? formatBytes(mb * 1024 * 1024) : '—');
const cpuText = (percent: number | string | null) => (typeof percent === 'number' ? `${percent.toFixed(1)} %` : '—');

/** Ids are the bridge's (letters, digits, "-"), but a selector is no place to trust that. */
function selectorEscape(text: string): string {
  return text.replace(/[^\w-]/g, (c) => `\\${c}`);
}
