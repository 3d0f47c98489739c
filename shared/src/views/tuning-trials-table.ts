import type { Translate } from '../feeds/protocol.js';
import { formatDuration } from '../format.js';
import { stateTone, trainingSeconds } from '../presentation.js';
import type { TuningTrial } from '../schemas/tunings.js';
import { h } from './dom.js';
import { formatValue } from './metrics-chart.js';

/** A column of the trials table: a fixed one, or `param:<key>` for a searched parameter. */
export type TrialColumn = 'number' | 'state' | 'value' | 'lastStep' | 'duration' | `param:${string}`;
export interface TrialSort {
  column: TrialColumn;
  descending: boolean;
}

function cell(trial: TuningTrial, column: TrialColumn): string | number | boolean | null {
  switch (column) {
    case 'number':
      return trial.number;
    case 'state':
      return trial.state;
    case 'value':
      return trial.value;
    case 'lastStep':
      return trial.lastStep;
    case 'duration':
      return trainingSeconds(trial);
    default:
      return trial.params[column.slice('param:'.length)] ?? null;
  }
}

/** The trials in the asked order; a trial with no value in that column goes last either way, ties by number. */
export function sortTrials(trials: readonly TuningTrial[], sort: TrialSort): TuningTrial[] {
  const sign = sort.descending ? -1 : 1;
  return [...trials].sort((a, b) => {
    const x = cell(a, sort.column);
    const y = cell(b, sort.column);
    if (x === null || y === null) return x === y ? a.number - b.number : x === null ? 1 : -1;
    if (x === y) return a.number - b.number;
    if (typeof x === 'number' && typeof y === 'number') return sign * (x - y);
    return sign * String(x).localeCompare(String(y));
  });
}

/** Puts one trial's new state in the list (by number), keeping number order. */
export function mergeTrial(trials: TuningTrial[], trial: TuningTrial): TuningTrial[] {
  const at = trials.findIndex((t) => t.number === trial.number);
  if (at >= 0) trials[at] = trial;
  else {
    trials.push(trial);
    trials.sort((a, b) => a.number - b.number);
  }
  return trials;
}

function shown(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return typeof value === 'number' ? formatValue(value) : String(value);
}

/**
 * The trials of a tuning, one row each: number, state (a pruned one says at which step), the
 * objective, its last reported step, each searched parameter, the duration and the training.
 * Any column's header sorts by it (again: the other way); the best trial's row is marked.
 */
export class TrialsTable {
  readonly element: HTMLTableElement;
  private readonly doc: Document;
  private readonly head: HTMLElement;
  private readonly body: HTMLElement;
  private sort: TrialSort = { column: 'number', descending: false };
  private trials: TuningTrial[] = [];
  private keys: string[] = [];
  private best: number | null = null;

  constructor(
    parent: HTMLElement,
    private readonly t: Translate,
    private readonly openTraining: (trainingId: string) => void,
  ) {
    this.doc = parent.ownerDocument;
    this.head = h(this.doc, 'thead');
    this.body = h(this.doc, 'tbody');
    this.element = h(this.doc, 'table', { className: 'emkit-table emkit-trials' }, [this.head, this.body]);
    parent.appendChild(this.element);
  }

  get order(): TrialSort {
    return this.sort;
  }

  /** Sorts by a column; the same column again turns the order round. */
  sortBy(column: TrialColumn): void {
    this.sort = { column, descending: this.sort.column === column ? !this.sort.descending : false };
    this.render();
  }

  set(trials: readonly TuningTrial[], keys: readonly string[], best: number | null): void {
    this.trials = [...trials];
    this.keys = [...keys];
    this.best = best;
    this.render();
  }

  private render(): void {
    const { doc, t } = this;
    const columns: [TrialColumn, string][] = [
      ['number', t('Trial')],
      ['state', t('State')],
      ['value', t('Objective')],
      ['lastStep', t('Step')],
      ...this.keys.map((key): [TrialColumn, string] => [`param:${key}`, key]),
      ['duration', t('Duration')],
    ];
    this.head.replaceChildren(
      h(doc, 'tr', {}, [
        ...columns.map(([column, label]) => {
          const sorted = this.sort.column === column;
          const th = h(doc, 'th', {
            className: 'emkit-sortable',
            text: sorted ? `${label} ${this.sort.descending ? '▼' : '▲'}` : label,
            attrs: {
              'data-column': column,
              'aria-sort': sorted ? (this.sort.descending ? 'descending' : 'ascending') : 'none',
              tabindex: '0',
            },
          });
          th.addEventListener('click', () => this.sortBy(column));
          th.addEventListener('keydown', (event) => {
            if ((event as KeyboardEvent).key === 'Enter') this.sortBy(column);
          });
          return th;
        }),
        h(doc, 'th', { text: t('Training') }),
      ]),
    );
    if (!this.trials.length) {
      this.body.replaceChildren(
        h(doc, 'tr', {}, [
          h(doc, 'td', { className: 'emkit-muted', text: t('No trials yet.'), attrs: { colspan: String(columns.length + 1) } }),
        ]),
      );
      return;
    }
    this.body.replaceChildren(...sortTrials(this.trials, this.sort).map((trial) => this.row(trial)));
  }

  private row(trial: TuningTrial): HTMLElement {
    const { doc, t } = this;
    const best = trial.number === this.best;
    const state =
      trial.state === 'PRUNED' && trial.prunedAtStep !== null ? t('PRUNED at step {0}', trial.prunedAtStep) : trial.state;
    const seconds = trainingSeconds(trial);
    const training = trial.trainingId
      ? h(doc, 'a', { text: trial.trainingName ?? trial.trainingId, attrs: { href: '#', 'data-training': trial.trainingId } })
      : h(doc, 'span', { className: 'emkit-muted', text: '—' });
    training.addEventListener('click', (event) => {
      event.preventDefault();
      if (trial.trainingId) this.openTraining(trial.trainingId);
    });
    return h(
      doc,
      'tr',
      {
        className: `emkit-trial emkit-trial-${trial.state.toLowerCase()}${best ? ' emkit-trial-best' : ''}`,
        attrs: { 'data-trial': String(trial.number), 'data-state': trial.state },
        title: trial.stateReason ?? '',
      },
      [
        h(doc, 'td', { className: 'emkit-num', text: best ? `★ ${trial.number}` : String(trial.number) }),
        h(doc, 'td', {}, [h(doc, 'span', { className: `emkit-badge emkit-tone-${stateTone(trial.state)}`, text: state })]),
        h(doc, 'td', {
          className: 'emkit-num',
          text: shown(trial.value ?? (trial.state === 'RUNNING' ? trial.lastValue : null)),
        }),
        h(doc, 'td', { className: 'emkit-num', text: shown(trial.lastStep) }),
        ...this.keys.map((key) => h(doc, 'td', { className: 'emkit-num', text: shown(trial.params[key]) })),
        h(doc, 'td', { className: 'emkit-num', text: seconds === null ? '—' : formatDuration(seconds) }),
        h(doc, 'td', {}, [training]),
      ],
    );
  }
}
