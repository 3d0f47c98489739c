import type { Translate, TuneFormAction, TuneFormMessage } from '../feeds/protocol.js';
import { metricGoal } from '../schemas/metrics.js';
import {
  DEFAULT_MAX_TRIALS,
  MAX_PARALLEL_TRIALS,
  MAX_TRIALS,
  TUNING_ALGORITHMS,
  TUNING_PRUNERS,
  type TuningCreate,
} from '../schemas/tunings.js';
import { SpaceSpecError } from '../tuning/space-spec.js';
import { RUN_ON_STRINGS, runOnChoices, THIS_MACHINE } from '../workflows/run-on.js';
import {
  ALGORITHM_LABELS,
  emptyRow,
  KIND_LABELS,
  PRUNER_LABELS,
  ROW_KINDS,
  type RowKind,
  rowsFromSpace,
  type SpaceRow,
  spaceFromRows,
} from '../workflows/tune-draft.js';
import { actionButton, type ControlElement, control, h } from './dom.js';
import { ensureStyles } from './styles.js';

interface RowControls {
  element: HTMLElement;
  key: ControlElement;
  kind: ControlElement;
  low: ControlElement;
  high: ControlElement;
  step: ControlElement;
  /** a choice's values, or the fixed value */
  values: ControlElement;
  /** what `values` holds for the other use, kept while the row is switched between choice and fixed */
  kept: { choice: string; fixed: string };
  shownKind: RowKind;
}

const SETTINGS = [
  'name',
  'experiment',
  'metric',
  'mode',
  'aggregate',
  'algorithm',
  'pruner',
  'trials',
  'parallel',
  'runOn',
] as const;
type Setting = (typeof SETTINGS)[number];

/** A setting Start can't send as it is (the metric, the budget), with the bridge's name of its field. */
export class TuneFormProblem extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'TuneFormProblem';
  }
}

/**
 * "Tune…": the search space as rows pre-filled from the parameters (a number a range around
 * it, a string a choice; any row can be held fixed instead), the objective metric (the tags the
 * file's last training logged are offered) and its mode, the algorithm, the pruner, the budget,
 * trials at once and where they run. Start asks the feed to create the tuning; a problem is shown
 * beside the row or field it is about, the form's own checks and the bridge's 400 alike.
 */
export class TuneForm {
  readonly element: HTMLElement;
  private readonly doc: Document;
  private readonly t: Translate;
  private readonly act: (action: TuneFormAction) => void;
  private readonly heading: HTMLElement;
  private readonly rowsBody: HTMLElement;
  private readonly suggestions: HTMLElement;
  private readonly problem: HTMLElement;
  private readonly settings: Record<Setting, ControlElement>;
  private readonly start: ControlElement;
  private rows: RowControls[] = [];
  private init: (TuneFormMessage & { type: 'init' }) | null = null;

  constructor(parent: HTMLElement, options: { t: Translate; act: (action: TuneFormAction) => void }) {
    const doc = parent.ownerDocument;
    this.doc = doc;
    ensureStyles(doc);
    this.t = options.t;
    this.act = options.act;
    const t = this.t;
    const text = (setting: Setting, placeholder = '') =>
      control(doc, 'textField', { className: 'emkit-input', attrs: { 'data-field': setting, placeholder } });
    this.settings = {
      name: text('name'),
      experiment: this.select('experiment', [['', t('the default experiment')]]),
      metric: text('metric', 'val_loss'),
      mode: this.select('mode', [
        ['min', t('min: lower is better')],
        ['max', t('max: higher is better')],
      ]),
      aggregate: this.select('aggregate', [
        ['last', t('its last value')],
        ['best', t('its best value')],
      ]),
      algorithm: this.select(
        'algorithm',
        TUNING_ALGORITHMS.map((a) => [a, t(ALGORITHM_LABELS[a])]),
      ),
      pruner: this.select(
        'pruner',
        TUNING_PRUNERS.map((p) => [p, t(PRUNER_LABELS[p])]),
      ),
      trials: text('trials', String(DEFAULT_MAX_TRIALS)),
      parallel: text('parallel', '1'),
      runOn: this.select('runOn', [[THIS_MACHINE, t(RUN_ON_STRINGS.thisMachine)]]),
    };
    this.settings.metric.addEventListener('change', () => this.followMetric());
    const labels: Record<Setting, string> = {
      name: t('Name'),
      experiment: t('Experiment'),
      metric: t('Objective metric'),
      mode: t('Mode'),
      aggregate: t("A trial's value"),
      algorithm: t('Algorithm'),
      pruner: t('Pruner'),
      trials: t('Trials'),
      parallel: t('Trials at once'),
      runOn: t(RUN_ON_STRINGS.runOn),
    };
    for (const setting of SETTINGS) {
      const element = this.settings[setting];
      element.setAttribute('aria-label', labels[setting]);
      if ('label' in element) (element as { label: string }).label = labels[setting];
    }
    this.settings.trials.value = String(DEFAULT_MAX_TRIALS);
    this.settings.parallel.value = '1';
    this.heading = h(doc, 'h2', { text: t('Tune') });
    this.suggestions = h(doc, 'div', { className: 'emkit-toolbar emkit-metric-suggestions' });
    this.rowsBody = h(doc, 'tbody');
    this.problem = h(doc, 'p', { className: 'emkit-reason emkit-tune-error', attrs: { role: 'alert' } });
    this.start = actionButton(doc, 'startTuning', t('Start tuning'), () => this.submit());
    const field = (setting: Setting, extra?: HTMLElement) =>
      h(doc, 'label', { className: 'emkit-form-row', attrs: { 'data-row': setting } }, [
        h(doc, 'span', { text: labels[setting] }),
        this.settings[setting],
        extra,
      ]);
    this.element = h(doc, 'div', { className: 'emkit-view emkit-tune-form' }, [
      this.heading,
      h(doc, 'h3', { text: t('Search space') }),
      h(doc, 'table', { className: 'emkit-space-rows' }, [
        h(doc, 'thead', {}, [
          h(
            doc,
            'tr',
            {},
            [t('Parameter'), t('Search'), t('Low'), t('High'), t('Step'), t('Choices or value'), ''].map((text) =>
              h(doc, 'th', { text }),
            ),
          ),
        ]),
        this.rowsBody,
      ]),
      h(doc, 'div', { className: 'emkit-toolbar' }, [
        actionButton(doc, 'addParameter', t('Add parameter'), () => this.addRow(emptyRow())),
      ]),
      h(doc, 'h3', { text: t('Objective and budget') }),
      h(doc, 'div', { className: 'emkit-form' }, [
        field('name'),
        field('experiment'),
        field('metric', this.suggestions),
        field('mode'),
        field('aggregate'),
        field('algorithm'),
        field('pruner'),
        field('trials'),
        field('parallel'),
        field('runOn'),
      ]),
      this.problem,
      h(doc, 'div', { className: 'emkit-toolbar' }, [
        this.start,
        actionButton(doc, 'cancelTuning', t('Cancel'), () => this.act({ action: 'cancel' })),
      ]),
    ]);
    this.start.disabled = true;
    parent.appendChild(this.element);
  }

  handle(message: TuneFormMessage): void {
    switch (message.type) {
      case 'init':
        this.fill(message);
        break;
      case 'started':
        this.start.disabled = false;
        break;
      case 'startError':
        this.start.disabled = false;
        this.showProblem(message.message, message.field);
        break;
      case 'error':
        this.showProblem(message.message);
        break;
    }
  }

  /** The body Start would send now; throws a TuneFormProblem (or the space's SpaceSpecError) naming the field at fault. */
  body(): TuningCreate {
    const init = this.init;
    if (!init) throw new TuneFormProblem(this.t('Loading…'), 'source');
    const value = (setting: Setting) => this.settings[setting].value.trim();
    const algorithm = value('algorithm') as TuningCreate['algorithm'] & string;
    const { space, fixed } = spaceFromRows(
      this.rows.map((row) => this.rowOf(row)),
      algorithm,
      this.t,
    );
    const metric = value('metric');
    if (!metric) throw new TuneFormProblem(this.t('Give the metric the trials log.'), 'objective.metric');
    const whole = (setting: Setting, max: number, field: string) => {
      const n = Number(value(setting));
      if (!/^\d+$/.test(value(setting)) || n < 1 || n > max)
        throw new TuneFormProblem(this.t('{0} must be a whole number from 1 to {1}.', value(setting), max), field);
      return n;
    };
    const maxTrials = whole('trials', MAX_TRIALS, 'maxTrials');
    const parallel = whole('parallel', MAX_PARALLEL_TRIALS, 'parallel');
    const runOn = value('runOn');
    return {
      ...(value('name') ? { name: value('name') } : {}),
      ...(value('experiment') ? { experiment: value('experiment') } : {}),
      source: init.source,
      space,
      ...(Object.keys(fixed).length ? { fixed } : {}),
      objective: {
        metric,
        mode: value('mode') === 'max' ? 'max' : 'min',
        aggregate: value('aggregate') === 'best' ? 'best' : 'last',
      },
      algorithm,
      pruner: value('pruner') as TuningCreate['pruner'] & string,
      maxTrials,
      parallel,
      cluster: runOn === THIS_MACHINE ? null : runOn,
    };
  }

  dispose(): void {
    this.element.remove();
  }

  private fill(init: TuneFormMessage & { type: 'init' }): void {
    this.init = init;
    const t = this.t;
    this.heading.textContent = t('Tune {0}', init.source.entryPoint ?? init.source.path.split(/[\\/]/).pop() ?? init.source.path);
    this.settings.name.value = init.name;
    this.settings.experiment.replaceChildren(
      ...[['', t('the default experiment')], ...init.experiments.map((e) => [e, e])].map(([value, text]) => {
        const option = control(this.doc, 'option', { text, attrs: { value: value as string } });
        if (value === (init.experiment ?? '')) option.setAttribute('selected', '');
        return option;
      }),
    );
    this.settings.experiment.value = init.experiment ?? '';
    this.rowsBody.replaceChildren();
    this.rows = [];
    for (const row of rowsFromSpace(init.space, init.parameters)) this.addRow(row);
    const runOn = runOnChoices(init.clusters, t, init.ranOn);
    this.settings.runOn.replaceChildren(
      ...runOn.choices.map((choice) => {
        const option = control(this.doc, 'option', { text: choice.label, attrs: { value: choice.value } });
        if (choice.disabled) option.setAttribute('disabled', '');
        if (choice.value === runOn.initial) option.setAttribute('selected', '');
        return option;
      }),
    );
    this.settings.runOn.value = runOn.initial;
    // a validation loss is the usual objective; else the first tag logged
    const metric =
      init.metrics.find((m) => /val.*loss|loss.*val/i.test(m)) ?? init.metrics.find((m) => /loss/i.test(m)) ?? init.metrics[0];
    this.settings.metric.value = metric ?? '';
    this.followMetric();
    this.suggestions.replaceChildren(
      ...init.metrics.map((tag) =>
        actionButton(this.doc, 'useMetric', tag, () => {
          this.settings.metric.value = tag;
          this.followMetric();
        }),
      ),
    );
    this.start.disabled = false;
  }

  /** The mode follows the metric's name when it is chosen (loss-like: min); it can be changed after. */
  private followMetric(): void {
    const metric = this.settings.metric.value.trim();
    if (metric) this.settings.mode.value = metricGoal(metric);
  }

  private submit(): void {
    this.clearProblem();
    let body: TuningCreate;
    try {
      body = this.body();
    } catch (error) {
      if (!(error instanceof SpaceSpecError || error instanceof TuneFormProblem)) throw error;
      this.showProblem(error.message, error.field);
      return;
    }
    this.start.disabled = true;
    this.act({ action: 'start', body });
  }

  private addRow(row: SpaceRow): void {
    const doc = this.doc;
    const t = this.t;
    const text = (value: string, label: string, field: string) => {
      const input = control(doc, 'textField', { className: 'emkit-input', label, attrs: { 'data-field': field } });
      input.value = value;
      return input;
    };
    const kind: RowKind = row.search ? row.type : 'fixed';
    const controls: RowControls = {
      element: h(doc, 'tr', { className: 'emkit-space-row' }),
      key: text(row.key, t('Parameter'), 'key'),
      kind: this.select(
        'kind',
        ROW_KINDS.map((k) => [k, t(KIND_LABELS[k])]),
        kind,
      ),
      low: text(row.low, t('Low'), 'low'),
      high: text(row.high, t('High'), 'high'),
      step: text(row.step, t('Step'), 'step'),
      values: text(row.search ? row.values : row.fixed, t('Choices or value'), 'values'),
      kept: { choice: row.values, fixed: row.fixed },
      shownKind: kind,
    };
    controls.kind.setAttribute('aria-label', t('Search'));
    controls.kind.addEventListener('change', () => this.showFields(controls));
    const remove = actionButton(doc, 'removeParameter', t('Remove'), () => {
      controls.element.remove();
      this.rows = this.rows.filter((r) => r !== controls);
    });
    const cells = [controls.key, controls.kind, controls.low, controls.high, controls.step, controls.values, remove];
    controls.element.replaceChildren(...cells.map((c) => h(doc, 'td', {}, [c])));
    controls.element.setAttribute('data-key', row.key);
    this.rows.push(controls);
    this.rowsBody.appendChild(controls.element);
    this.showFields(controls);
  }

  private showFields(row: RowControls): void {
    const kind = row.kind.value as RowKind;
    // the one box holds a choice's values or the fixed value: each keeps its own text
    const use = (k: RowKind) => (k === 'fixed' ? 'fixed' : 'choice');
    if (use(kind) !== use(row.shownKind)) {
      row.kept[use(row.shownKind)] = row.values.value;
      row.values.value = row.kept[use(kind)];
    }
    row.shownKind = kind;
    const numeric = kind !== 'choice' && kind !== 'fixed';
    // cells are left out of sight, not out of the row, so the columns stay under their headings
    const show = (cell: ControlElement, shown: boolean) =>
      (cell.parentElement as HTMLElement).classList.toggle('emkit-cell-off', !shown);
    show(row.low, numeric);
    show(row.high, numeric);
    show(row.step, kind === 'int' || kind === 'discrete');
    show(row.values, !numeric);
  }

  private rowOf(row: RowControls): SpaceRow {
    const kind = row.kind.value as RowKind;
    return {
      key: row.key.value.trim(),
      search: kind !== 'fixed',
      type: kind === 'fixed' ? 'choice' : kind,
      low: row.low.value,
      high: row.high.value,
      step: row.step.value,
      values: row.values.value,
      fixed: row.values.value,
    };
  }

  private select(field: string, options: [string, string][], value = options[0]?.[0] ?? ''): ControlElement {
    const select = control(
      this.doc,
      'select',
      { attrs: { 'data-field': field } },
      options.map(([v, text]) => {
        const option = control(this.doc, 'option', { text, attrs: { value: v } });
        if (v === value) option.setAttribute('selected', '');
        return option;
      }),
    );
    select.value = value;
    return select;
  }

  private clearProblem(): void {
    this.problem.textContent = '';
    for (const element of Array.from(this.element.querySelectorAll('[aria-invalid]'))) element.removeAttribute('aria-invalid');
  }

  /** The words, and the row or field they are about marked (`space.lr`, `objective.metric`, `maxTrials`). */
  private showProblem(message: string, field?: string): void {
    this.clearProblem();
    this.problem.textContent = message;
    if (!field) return;
    const key = /^space\.(.+)$/.exec(field)?.[1];
    const setting = FIELD_SETTINGS[field];
    const target = key ? this.rows.find((row) => row.key.value.trim() === key)?.element : setting && this.settings[setting];
    target?.setAttribute('aria-invalid', 'true');
  }
}

/** The bridge's field names → the form's settings, to mark the one at fault. */
const FIELD_SETTINGS: Record<string, Setting> = {
  name: 'name',
  experiment: 'experiment',
  'objective.metric': 'metric',
  'objective.mode': 'mode',
  'objective.aggregate': 'aggregate',
  algorithm: 'algorithm',
  pruner: 'pruner',
  maxTrials: 'trials',
  parallel: 'parallel',
  cluster: 'runOn',
};
