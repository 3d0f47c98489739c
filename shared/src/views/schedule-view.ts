import type { ScheduleViewAction, ScheduleViewMessage, Translate } from '../feeds/protocol.js';
import { formatDuration, formatTime } from '../format.js';
import { runTone, stateTone, trainingSeconds } from '../presentation.js';
import type { Schedule, ScheduleRun } from '../schemas/schedules.js';
import { nextRunsInWords, type ScheduleLocale, scheduleInWords } from '../workflows/schedule-words.js';
import { actionButton, type ControlElement, h } from './dom.js';
import { resourceInWords, shortId, stepInWords } from './schedule-steps.js';
import { ensureStyles } from './styles.js';

/**
 * One schedule: when it runs, in words and as its next five due times in its zone; the chain of
 * steps in words; its state (and why the bridge paused it); Pause / Resume / Run now / Delete;
 * and its history — each run's number, trigger, state, due time and duration, and per step what
 * it made (a link its host opens) and its outcome. Renders its feed's messages, like the other views.
 */
export class ScheduleView {
  readonly element: HTMLElement;
  private readonly doc: Document;
  private readonly t: Translate;
  private readonly locale: ScheduleLocale;
  private readonly act: (action: ScheduleViewAction) => void;
  private readonly title: HTMLElement;
  private readonly badge: HTMLElement;
  private readonly reason: HTMLElement;
  private readonly error: HTMLElement;
  private readonly when: HTMLElement;
  private readonly nextRuns: HTMLElement;
  private readonly steps: HTMLElement;
  private readonly facts: HTMLElement;
  private readonly history: HTMLElement;
  private readonly buttons: Record<'pause' | 'resume' | 'runNow' | 'delete', ControlElement>;
  private schedule: Schedule | null = null;

  constructor(
    parent: HTMLElement,
    options: { t: Translate; act: (action: ScheduleViewAction) => void; locale?: ScheduleLocale },
  ) {
    const doc = parent.ownerDocument;
    this.doc = doc;
    ensureStyles(doc);
    const { t, act } = options;
    this.t = t;
    this.act = act;
    this.locale = options.locale ?? 'en';
    this.title = h(doc, 'span', { className: 'emkit-title' });
    this.badge = h(doc, 'span', { className: 'emkit-badge emkit-state' });
    this.reason = h(doc, 'p', { className: 'emkit-reason' });
    this.error = h(doc, 'p', { className: 'emkit-reason emkit-feed-error' });
    this.when = h(doc, 'p', { className: 'emkit-schedule-when' });
    this.nextRuns = h(doc, 'ol', { className: 'emkit-schedule-next' });
    this.steps = h(doc, 'ol', { className: 'emkit-schedule-steps' });
    this.facts = h(doc, 'dl', { className: 'emkit-facts' });
    this.history = h(doc, 'div', { className: 'emkit-schedule-history' });
    this.buttons = {
      pause: actionButton(doc, 'pause', t('Pause'), () => act({ action: 'pause' })),
      resume: actionButton(doc, 'resume', t('Resume'), () => act({ action: 'resume' })),
      runNow: actionButton(doc, 'runNow', t('Run now'), () => act({ action: 'runNow' })),
      delete: actionButton(doc, 'delete', t('Delete'), () => act({ action: 'delete' })),
    };
    this.element = h(doc, 'div', { className: 'emkit-view emkit-schedule-view' }, [
      h(doc, 'h2', {}, [this.title, this.badge]),
      this.reason,
      this.error,
      h(doc, 'div', { className: 'emkit-toolbar' }, Object.values(this.buttons)),
      this.when,
      h(doc, 'h3', { text: t('Next runs') }),
      this.nextRuns,
      h(doc, 'h3', { text: t('Steps') }),
      this.steps,
      this.facts,
      h(doc, 'h3', { text: t('History') }),
      this.history,
    ]);
    parent.appendChild(this.element);
    this.render();
    this.setRuns([]);
  }

  handle(message: ScheduleViewMessage): void {
    switch (message.type) {
      case 'schedule':
        this.schedule = message.schedule;
        this.error.textContent = '';
        this.render();
        break;
      case 'runs':
        this.setRuns(message.runs);
        break;
      case 'deleted':
        this.error.textContent = this.t('This schedule was deleted.');
        for (const button of Object.values(this.buttons)) button.disabled = true;
        break;
      case 'error':
        this.error.textContent = message.message;
        break;
    }
  }

  dispose(): void {
    this.element.remove();
  }

  private render(): void {
    const { doc, t } = this;
    const schedule = this.schedule;
    this.title.textContent = schedule?.name ?? '';
    this.badge.textContent = schedule?.state ?? '';
    this.badge.className = `emkit-badge emkit-state emkit-tone-${schedule ? stateTone(schedule.state) : 'busy'}`;
    this.reason.textContent = schedule?.reason ?? '';
    this.reason.hidden = !schedule?.reason;
    this.buttons.pause.disabled = schedule?.state !== 'ACTIVE';
    this.buttons.resume.disabled = schedule?.state !== 'PAUSED';
    this.buttons.runNow.disabled = !schedule;
    this.buttons.delete.disabled = !schedule;
    if (!schedule) {
      this.when.textContent = t('Loading…');
      return;
    }
    this.when.textContent = scheduleInWords(schedule, this.locale) ?? schedule.cron ?? schedule.every ?? '';
    this.when.title = schedule.cron ?? schedule.every ?? '';
    const zone = schedule.cron ? (schedule.timezone ?? 'UTC') : undefined;
    const times = nextRunsInWords(schedule.nextRuns, this.locale, zone);
    this.nextRuns.replaceChildren(
      ...(times.length
        ? times.map((time) => h(doc, 'li', { text: time }))
        : [h(doc, 'li', { className: 'emkit-muted', text: t('None while paused.') })]),
    );
    this.steps.replaceChildren(
      ...schedule.steps.map((step) =>
        h(doc, 'li', {
          text: stepInWords(step, t),
          ...(step.kind === 'training' && step.training ? { title: step.training } : {}),
        }),
      ),
    );
    const facts: [string, string][] = [
      [t('When a run is due while one goes'), schedule.overlap === 'queue' ? t('queue one') : t('skip it')],
      [t('After the bridge was down'), schedule.catchUp ? t('one catch-up run') : t('no catch-up')],
    ];
    if (schedule.description) facts.unshift([t('Description'), schedule.description]);
    this.facts.replaceChildren(
      ...facts.flatMap(([term, value]) => [h(doc, 'dt', { text: term }), h(doc, 'dd', { text: value })]),
    );
  }

  private setRuns(runs: readonly ScheduleRun[]): void {
    const { doc, t } = this;
    if (!runs.length) {
      this.history.replaceChildren(h(doc, 'p', { className: 'emkit-muted', text: t('No runs yet.') }));
      return;
    }
    const head = h(doc, 'tr', {}, [
      h(doc, 'th', { className: 'emkit-num', text: '#' }),
      h(doc, 'th', { text: t('Trigger') }),
      h(doc, 'th', { text: t('State') }),
      h(doc, 'th', { text: t('Due') }),
      h(doc, 'th', { text: t('Duration') }),
      h(doc, 'th', { text: t('Steps') }),
    ]);
    this.history.replaceChildren(
      h(doc, 'table', { className: 'emkit-table emkit-schedule-runs' }, [
        h(doc, 'thead', {}, [head]),
        h(
          doc,
          'tbody',
          {},
          runs.map((run) => this.runRow(run)),
        ),
      ]),
    );
  }

  private runRow(run: ScheduleRun): HTMLElement {
    const { doc, t } = this;
    const seconds = trainingSeconds({ startedAt: run.startedAt, endedAt: run.finishedAt });
    const trigger = run.trigger === 'due' ? t('due') : run.trigger === 'manual' ? t('manual') : t('catch-up');
    const steps = h(
      doc,
      'ol',
      { className: 'emkit-run-steps' },
      run.steps.map((step) => {
        const parts: HTMLElement[] = [
          h(doc, 'span', { className: `emkit-badge emkit-tone-${runTone(step.state)}`, text: step.state }),
        ];
        if (step.resource) {
          const { type, id } = step.resource;
          const link = h(doc, 'a', {
            className: 'emkit-link',
            text: `${resourceInWords(type, t)} ${shortId(id)}`,
            title: id,
            attrs: { href: '#', role: 'link', 'data-resource': type, 'data-id': id },
          });
          link.addEventListener('click', (event) => {
            event.preventDefault();
            this.act({ action: 'openResource', resource: type, id });
          });
          parts.push(link);
        }
        if (step.outcome) parts.push(h(doc, 'span', { className: 'emkit-muted', text: step.outcome }));
        return h(doc, 'li', { attrs: { 'data-kind': step.kind } }, parts);
      }),
    );
    return h(doc, 'tr', { attrs: { 'data-run': String(run.number), 'data-state': run.state } }, [
      h(doc, 'td', { className: 'emkit-num', text: String(run.number) }),
      h(doc, 'td', { text: trigger }),
      h(doc, 'td', {}, [
        h(doc, 'span', { className: `emkit-badge emkit-tone-${runTone(run.state)}`, text: run.state }),
        ...(run.reason ? [h(doc, 'div', { className: 'emkit-muted', text: run.reason })] : []),
      ]),
      h(doc, 'td', { text: formatTime(run.dueAt) }),
      h(doc, 'td', { text: seconds === null ? '—' : formatDuration(seconds) }),
      h(doc, 'td', {}, [steps]),
    ]);
  }
}
