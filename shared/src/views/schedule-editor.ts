import type { ScheduleEditorAction, ScheduleEditorMessage, Translate } from '../feeds/protocol.js';
import type { Model } from '../schemas/models.js';
import type { Recipe } from '../schemas/recipes.js';
import type { ScheduleCreate, ScheduleStep } from '../schemas/schedules.js';
import type { Training } from '../schemas/trainings.js';
import { describePairProblem, formatPairs, PairsError, parsePairs } from '../workflows/pairs.js';
import { chainSteps, DEFAULT_EVERY, type ScheduleChain } from '../workflows/schedule-draft.js';
import { nextRunsInWords, type ScheduleLocale, scheduleInWords } from '../workflows/schedule-words.js';
import { actionButton, type ControlElement, control, h } from './dom.js';
import { ensureStyles } from './styles.js';

/** How long typing rests before the editor asks the bridge for the next due times. */
export const PREVIEW_DEBOUNCE_MS = 300;

type FirstKind = 'training' | 'recipe' | 'batch';
type Timing = { cron?: string; timezone?: string; every?: string };

/** The reader's zone, a cron schedule's default in the editor (the bridge's is UTC). */
const localZone = (): string => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
};

/**
 * The schedule editor with its cron helper: an interval ("Every 30s") or a cron expression in a
 * time zone, said in words as it is typed (schedule-words.ts) with the next due times from the
 * bridge's preview (asked when typing rests; its 400's reason shown inline); what runs first — a
 * training retrained (from its snapshot or the notebook as saved), a recipe on its datasets, or a
 * model version scoring a dataset — pre-filled from where it was opened; for a training or a
 * recipe the optional chain (+ evaluate, + promote if a metric passes, + re-score); the overlap
 * rule and catch-up. Save sends the body; the bridge's refusal is shown with the field it names.
 */
export class ScheduleEditor {
  readonly element: HTMLElement;
  private readonly doc: Document;
  private readonly t: Translate;
  private readonly act: (action: ScheduleEditorAction) => void;
  private readonly error: HTMLElement;
  private readonly note: HTMLElement;
  private readonly form: HTMLElement;
  private readonly status: HTMLElement;
  private readonly saveButton: ControlElement;
  private locale: ScheduleLocale = 'en';
  private lists: { trainings: Training[]; recipes: Recipe[]; models: Model[] } = { trainings: [], recipes: [], models: [] };
  /** the fields by name: `name`, `mode`, `every`, `cron`, `timezone`, `first`, `training`, … */
  private fields = new Map<string, ControlElement>();
  private checks = new Map<string, HTMLInputElement>();
  private words: HTMLElement | null = null;
  private next: HTMLElement | null = null;
  private previewProblem: HTMLElement | null = null;
  private requestId = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private draft: ScheduleCreate | null = null;
  private saving = false;

  constructor(parent: HTMLElement, options: { t: Translate; act: (action: ScheduleEditorAction) => void }) {
    const doc = parent.ownerDocument;
    this.doc = doc;
    ensureStyles(doc);
    this.t = options.t;
    this.act = options.act;
    const { t } = this;
    this.error = h(doc, 'p', { className: 'emkit-reason emkit-feed-error' });
    this.note = h(doc, 'p', { className: 'emkit-schedule-note' });
    this.note.hidden = true;
    this.form = h(doc, 'div', { className: 'emkit-schedule-form' }, [
      h(doc, 'p', { className: 'emkit-muted', text: t('Loading…') }),
    ]);
    this.status = h(doc, 'p', { className: 'emkit-schedule-status', attrs: { 'aria-live': 'polite' } });
    this.saveButton = actionButton(doc, 'save', t('Save schedule'), () => this.save());
    this.saveButton.disabled = true;
    this.element = h(doc, 'div', { className: 'emkit-view emkit-schedule-editor' }, [
      h(doc, 'h2', {}, [h(doc, 'span', { className: 'emkit-title', text: t('New schedule') })]),
      this.error,
      this.note,
      this.form,
      h(doc, 'div', { className: 'emkit-toolbar' }, [
        this.saveButton,
        actionButton(doc, 'cancel', t('Cancel'), () => this.act({ action: 'cancel' })),
      ]),
      this.status,
    ]);
    parent.appendChild(this.element);
  }

  handle(message: ScheduleEditorMessage): void {
    switch (message.type) {
      case 'init':
        this.locale = message.locale;
        this.lists = { trainings: message.trainings, recipes: message.recipes, models: message.models };
        this.draft = message.draft;
        this.note.textContent = message.note ? this.t(message.note, message.noteArg ?? '') : '';
        this.note.hidden = !message.note;
        this.renderForm(message.draft);
        this.saveButton.disabled = false;
        this.timingChanged(0);
        break;
      case 'preview':
        if (message.requestId !== this.requestId || !this.next || !this.previewProblem) return;
        this.previewProblem.textContent = '';
        this.next.replaceChildren(
          ...nextRunsInWords(message.nextRuns, this.locale, this.timing().cron ? this.timing().timezone : undefined).map((time) =>
            h(this.doc, 'li', { text: time }),
          ),
        );
        break;
      case 'previewError':
        if (message.requestId !== this.requestId || !this.next || !this.previewProblem) return;
        this.next.replaceChildren();
        this.previewProblem.textContent = message.message;
        break;
      case 'saved':
        this.saving = false;
        this.saveButton.disabled = false;
        this.setStatus('ok', this.t('Schedule {0} saved.', message.schedule.name));
        break;
      case 'saveError':
        this.saving = false;
        this.saveButton.disabled = false;
        this.setStatus('failed', message.field ? `${message.field}: ${message.message}` : message.message, message.field);
        break;
      case 'error':
        this.error.textContent = message.message;
        break;
    }
  }

  /** The body Save would send now, or the problem in words (what a test or a host may read). */
  body(): ScheduleCreate | string {
    const t = this.t;
    const value = (name: string) => (this.fields.get(name)?.value ?? '').trim();
    const checked = (name: string) => this.checks.get(name)?.checked ?? false;
    const name = value('name');
    if (!name) return t('Give the schedule a name.');
    let first: ScheduleStep;
    try {
      const kind = value('first') as FirstKind;
      if (kind === 'training') {
        if (!value('training')) return t('Choose the training to run again.');
        const model = value('model');
        const datasets = parsePairs(value('datasets'), 'dataset');
        first = {
          kind: 'training',
          training: value('training'),
          source: value('source') === 'latest' ? 'latest' : 'snapshot',
          hyperparameters: parsePairs(value('hyperparameters'), 'hyperparameter'),
          ...(Object.keys(datasets).length ? { datasets } : {}),
          ...(model ? { model } : {}),
        };
      } else if (kind === 'recipe') {
        if (!value('recipe')) return t('Choose the recipe to train.');
        const model = value('model');
        first = {
          kind: 'recipe',
          recipe: value('recipe'),
          datasets: parsePairs(value('datasets'), 'dataset'),
          hyperparameters: parsePairs(value('hyperparameters'), 'hyperparameter'),
          ...(model ? { model } : {}),
        };
      } else {
        if (!value('batchModel')) return t('Choose the model version that scores.');
        if (!value('batchInput')) return t('Name the data to score: a dataset or an absolute path.');
        const output = value('batchOutput');
        first = {
          kind: 'batch',
          batch: { model: value('batchModel'), input: value('batchInput'), ...(output ? { output, overwrite: true } : {}) },
        };
      }
    } catch (error) {
      if (error instanceof PairsError) return describePairProblem(error.detail, t);
      throw error;
    }
    const chain: ScheduleChain = {};
    if (value('first') !== 'batch') {
      if (checked('evaluate')) {
        if (!value('evalData')) return t('Name the data to evaluate on.');
        chain.evaluate = { data: value('evalData'), ...(value('evalLabel') ? { label: value('evalLabel') } : {}) };
      }
      if (checked('promote')) {
        if (!chain.evaluate) return t('A promotion needs the evaluation before it.');
        const threshold = Number(value('threshold'));
        if (!value('alias') || !value('metric') || !Number.isFinite(threshold))
          return t('Give the alias, the metric and a number to pass.');
        const comparison = (value('comparison') || '>=') as '>=' | '>' | '<=' | '<';
        chain.promote = { alias: value('alias'), metric: value('metric'), comparison, threshold };
      }
      if (checked('rescore')) {
        if (!value('rescoreInput')) return t('Name the data to score: a dataset or an absolute path.');
        chain.rescore = { input: value('rescoreInput'), ...(value('rescoreOutput') ? { output: value('rescoreOutput') } : {}) };
      }
    }
    const timing = this.timing();
    return {
      name,
      ...(this.draft?.description ? { description: this.draft.description } : {}),
      ...timing,
      steps: chainSteps(first, chain),
      overlap: value('overlap') === 'queue' ? 'queue' : 'skip',
      catchUp: checked('catchUp'),
    };
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.element.remove();
  }

  private timing(): Timing {
    const value = (name: string) => (this.fields.get(name)?.value ?? '').trim();
    if (value('mode') === 'cron') return { cron: value('cron'), timezone: value('timezone') || 'UTC' };
    return { every: value('every') };
  }

  /** Says the timing in words now, and asks the bridge for its next due times once typing rests. */
  private timingChanged(delay = PREVIEW_DEBOUNCE_MS): void {
    const timing = this.timing();
    const cron = this.fields.get('mode')?.value === 'cron';
    for (const name of ['cron', 'timezone']) {
      const row = this.fields.get(name)?.closest('label');
      if (row) row.hidden = !cron;
    }
    const everyRow = this.fields.get('every')?.closest('label');
    if (everyRow) everyRow.hidden = cron;
    if (this.words) this.words.textContent = scheduleInWords(timing, this.locale) ?? '';
    if (this.timer) clearTimeout(this.timer);
    const requestId = ++this.requestId;
    const ask = () => {
      this.timer = null;
      if (!(timing.cron || timing.every)) return;
      this.act({ action: 'preview', requestId, ...timing });
    };
    if (delay === 0) ask();
    else this.timer = setTimeout(ask, delay);
  }

  private setStatus(tone: 'ok' | 'failed' | 'muted', text: string, field?: string): void {
    this.status.textContent = text;
    this.status.className = `emkit-schedule-status emkit-tone-${tone}`;
    if (field) this.status.dataset.field = field;
    else delete this.status.dataset.field;
  }

  private save(): void {
    if (this.saving) return;
    const body = this.body();
    if (typeof body === 'string') {
      this.setStatus('failed', body);
      return;
    }
    this.saving = true;
    this.saveButton.disabled = true;
    this.setStatus('muted', this.t('Saving {0}…', body.name));
    this.act({ action: 'save', body });
  }

  // --- the form ---

  private field(name: string, label: string, element: ControlElement, hint?: string): HTMLElement {
    this.fields.set(name, element);
    element.dataset.field = name;
    return h(this.doc, 'label', { className: 'emkit-field' }, [
      h(this.doc, 'span', { className: 'emkit-field-label', text: label }),
      element,
      hint ? h(this.doc, 'span', { className: 'emkit-muted emkit-field-hint', text: hint }) : null,
    ]);
  }

  private text(name: string, label: string, value: string, hint?: string): HTMLElement {
    const input = control(this.doc, 'textField', { label, attrs: { type: 'text' } });
    input.value = value;
    return this.field(name, label, input, hint);
  }

  private area(name: string, label: string, value: string, hint?: string): HTMLElement {
    const input = control(this.doc, 'textArea', { label, attrs: { rows: '3' } });
    input.value = value;
    return this.field(name, label, input, hint);
  }

  /** A select of [value, text] options with `value` chosen (marked too: VS Code's select reads its options late). */
  private select(name: string, label: string, options: [string, string][], value: string): HTMLElement {
    const select = control(
      this.doc,
      'select',
      { label },
      options.map(([v, text]) => {
        const option = control(this.doc, 'option', { text, attrs: { value: v } });
        if (v === value) option.setAttribute('selected', '');
        return option;
      }),
    );
    select.value = value;
    return this.field(name, label, select);
  }

  private check(name: string, label: string, checked: boolean, onChange?: () => void): HTMLElement {
    const box = h(this.doc, 'input', { attrs: { type: 'checkbox', 'data-field': name } });
    box.checked = checked;
    if (onChange) box.addEventListener('change', onChange);
    this.checks.set(name, box);
    return h(this.doc, 'label', { className: 'emkit-check' }, [box, h(this.doc, 'span', { text: label })]);
  }

  private renderForm(draft: ScheduleCreate): void {
    const { doc, t } = this;
    this.fields.clear();
    this.checks.clear();
    const first = draft.steps[0];
    const firstKind: FirstKind = first?.kind === 'recipe' ? 'recipe' : first?.kind === 'batch' ? 'batch' : 'training';
    const training = first?.kind === 'training' ? first : null;
    const recipe = first?.kind === 'recipe' ? first : null;
    const batch = first?.kind === 'batch' ? first : null;

    this.words = h(doc, 'p', { className: 'emkit-schedule-words', attrs: { 'aria-live': 'polite' } });
    this.next = h(doc, 'ol', { className: 'emkit-schedule-next' });
    this.previewProblem = h(doc, 'p', { className: 'emkit-reason emkit-schedule-problem' });
    const when = h(doc, 'section', { className: 'emkit-schedule-timing' }, [
      h(doc, 'h3', { text: t('When') }),
      this.select(
        'mode',
        t('Repeat'),
        [
          ['every', t('Every interval')],
          ['cron', t('Cron expression')],
        ],
        draft.cron ? 'cron' : 'every',
      ),
      this.text('every', t('Interval'), draft.every ?? DEFAULT_EVERY, t('30s, 5m, 2h or 1d')),
      this.text('cron', t('Cron expression'), draft.cron ?? '0 2 * * *', t('minute hour day month weekday, or seconds first')),
      this.text('timezone', t('Time zone'), draft.timezone ?? localZone(), t('an IANA zone, e.g. Asia/Seoul')),
      this.words,
      this.previewProblem,
      h(doc, 'h3', { text: t('Next runs') }),
      this.next,
    ]);

    const stepBox = h(doc, 'div', { className: 'emkit-schedule-first' });
    const chainBox = h(doc, 'section', { className: 'emkit-schedule-chain' });
    const renderFirst = (kind: FirstKind) => {
      for (const name of [...this.fields.keys()]) {
        if (STEP_FIELDS.has(name)) this.fields.delete(name);
      }
      stepBox.replaceChildren(...this.firstStepFields(kind, { training, recipe, batch }));
      chainBox.hidden = kind === 'batch';
    };
    const what = h(doc, 'section', { className: 'emkit-schedule-what' }, [
      h(doc, 'h3', { text: t('What runs') }),
      this.select(
        'first',
        t('First step'),
        [
          ['training', t('Retrain a training')],
          ['recipe', t('Train a recipe')],
          ['batch', t('Score a dataset')],
        ],
        firstKind,
      ),
      stepBox,
    ]);
    const evaluation = draft.steps.find((s) => s.kind === 'evaluation');
    const promote = draft.steps.find((s) => s.kind === 'promote');
    const rescore = draft.steps.slice(1).find((s) => s.kind === 'batch');
    // each part of the chain shows its fields only while it is ticked
    const part = (name: string, label: string, checked: boolean, fields: HTMLElement[]): HTMLElement[] => {
      const box = h(doc, 'div', { className: 'emkit-schedule-part', attrs: { 'data-part': name } }, fields);
      box.hidden = !checked;
      return [this.check(name, label, checked, () => (box.hidden = !this.checks.get(name)?.checked)), box];
    };
    chainBox.append(
      h(doc, 'h3', { text: t('Then') }),
      ...part('evaluate', t('Evaluate on a dataset'), !!evaluation, [
        this.text(
          'evalData',
          t('Evaluation data'),
          evaluation?.kind === 'evaluation' ? evaluation.data : '',
          t('a dataset name[:version] or an absolute path'),
        ),
        this.text('evalLabel', t('Label column'), evaluation?.kind === 'evaluation' ? (evaluation.label ?? '') : ''),
      ]),
      ...part('promote', t('Promote an alias if a metric passes'), !!promote, [
        this.text('alias', t('Alias'), promote?.kind === 'promote' ? promote.alias : 'production'),
        this.text(
          'metric',
          t('Metric'),
          promote?.kind === 'promote' ? promote.metric : 'accuracy',
          t('accuracy, macro.f1, rocAuc, r2, rmse…'),
        ),
        this.select(
          'comparison',
          t('Comparison'),
          ['>=', '>', '<=', '<'].map((c) => [c, c] as [string, string]),
          promote?.kind === 'promote' ? (promote.comparison ?? '>=') : '>=',
        ),
        this.text('threshold', t('Threshold'), promote?.kind === 'promote' ? String(promote.threshold) : '0.9'),
      ]),
      ...part('rescore', t('Score a dataset with the new version'), !!rescore, [
        this.text(
          'rescoreInput',
          t('Data to score'),
          rescore?.kind === 'batch' ? rescore.batch.input : '',
          t('a dataset name[:version] or an absolute path'),
        ),
        this.text(
          'rescoreOutput',
          t('Output folder'),
          rescore?.kind === 'batch' ? (rescore.batch.output ?? '') : '',
          t("an absolute folder, replaced at each run; empty: the job's own"),
        ),
      ]),
    );

    const rules = h(doc, 'section', { className: 'emkit-schedule-rules' }, [
      h(doc, 'h3', { text: t('Rules') }),
      this.select(
        'overlap',
        t('When a run is due while one goes'),
        [
          ['skip', t('skip it')],
          ['queue', t('queue one')],
        ],
        draft.overlap ?? 'skip',
      ),
      this.check('catchUp', t('After the bridge was down, run once to catch up'), draft.catchUp ?? true),
    ]);

    this.form.replaceChildren(this.text('name', t('Name'), draft.name), when, what, chainBox, rules);
    renderFirst(firstKind);
    this.fields.get('first')?.addEventListener('change', () => renderFirst(this.fields.get('first')?.value as FirstKind));
    for (const name of ['mode', 'every', 'cron', 'timezone']) {
      const element = this.fields.get(name);
      element?.addEventListener('input', () => this.timingChanged());
      element?.addEventListener('change', () => this.timingChanged());
    }
  }

  private firstStepFields(
    kind: FirstKind,
    drafted: {
      training: (ScheduleStep & { kind: 'training' }) | null;
      recipe: (ScheduleStep & { kind: 'recipe' }) | null;
      batch: (ScheduleStep & { kind: 'batch' }) | null;
    },
  ): HTMLElement[] {
    const { t } = this;
    const { trainings, recipes, models } = this.lists;
    const none: [string, string] = ['', t('Choose…')];
    if (kind === 'training') {
      const step = drafted.training;
      return [
        this.select(
          'training',
          t('Training'),
          [none, ...trainings.map((tr) => [tr.id, `${tr.name} · ${tr.state}`] as [string, string])],
          step?.training ?? '',
        ),
        this.select(
          'source',
          t('Code'),
          [
            ['snapshot', t('its snapshot (the code as it ran)')],
            ['latest', t('the notebook as saved at each run')],
          ],
          step?.source ?? 'snapshot',
        ),
        this.area(
          'hyperparameters',
          t('Hyperparameters'),
          formatPairs(step?.hyperparameters ?? {}),
          t('key=value, one per line'),
        ),
        this.area('datasets', t('Datasets'), formatPairs(step?.datasets ?? {}), t('name=dataset or path, one per line')),
        this.text('model', t('Register as model'), step?.model ?? '', t('empty: no model version')),
      ];
    }
    if (kind === 'recipe') {
      const step = drafted.recipe;
      return [
        this.select('recipe', t('Recipe'), [none, ...recipes.map((r) => [r.id, r.name] as [string, string])], step?.recipe ?? ''),
        this.area('datasets', t('Datasets'), formatPairs(step?.datasets ?? {}), t('name=dataset or path, one per line')),
        this.area(
          'hyperparameters',
          t('Hyperparameters'),
          formatPairs(step?.hyperparameters ?? {}),
          t('key=value, one per line'),
        ),
        this.text('model', t('Register as model'), step?.model ?? '', t("empty: the schedule's name")),
      ];
    }
    const step = drafted.batch;
    const refs = models.map((m) => `${m.name}:${m.version}`);
    return [
      this.select(
        'batchModel',
        t('Model version'),
        [none, ...refs.map((ref) => [ref, ref] as [string, string])],
        step?.batch.model ?? '',
      ),
      this.text('batchInput', t('Data to score'), step?.batch.input ?? '', t('a dataset name[:version] or an absolute path')),
      this.text(
        'batchOutput',
        t('Output folder'),
        step?.batch.output ?? '',
        t("an absolute folder, replaced at each run; empty: the job's own"),
      ),
    ];
  }
}

/** The fields of the first step, made again when its kind changes. */
const STEP_FIELDS = new Set([
  'training',
  'source',
  'hyperparameters',
  'datasets',
  'model',
  'recipe',
  'batchModel',
  'batchInput',
  'batchOutput',
]);
