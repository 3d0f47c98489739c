import type { Translate, TuningViewAction, TuningViewMessage } from '../feeds/protocol.js';
import { formatDuration } from '../format.js';
import { stateTone, trainingSeconds } from '../presentation.js';
import type { Tuning, TuningTrial } from '../schemas/tunings.js';
import { canTransition, isSettled, tuningStates } from '../states.js';
import { BarList } from './bar-list.js';
import { actionButton, type ControlElement, FrameBatch, h } from './dom.js';
import { formatValue } from './metrics-chart.js';
import { ObjectiveChart } from './objective-chart.js';
import { ParallelCoordinates } from './parallel-coordinates.js';
import { ensureStyles } from './styles.js';
import { mergeTrial, TrialsTable } from './tuning-trials-table.js';

/** An importance as a bar: its share in per cent, one decimal (Optuna's sum to 1). */
export function importanceBars(importance: Record<string, number> | null): { label: string; value: number }[] {
  return Object.entries(importance ?? {})
    .sort(([, a], [, b]) => b - a)
    .map(([label, value]) => ({ label, value: Math.round(value * 1000) / 10 }));
}

/**
 * One tuning: its state, the best trial and the budget spent; Stop, Copy and "Create model"
 * from the best trial; the objective over trials with the best so far, the parameters against
 * the objective (parallel coordinates), each parameter's importance, and the trials table
 * (sortable, live, pruned trials marked with their step). Renders its feed's messages and asks
 * its host, like the other views.
 */
export class TuningView {
  readonly element: HTMLElement;
  readonly trialsTable: TrialsTable;
  readonly objective: ObjectiveChart;
  readonly parallel: ParallelCoordinates;
  private readonly doc: Document;
  private readonly t: Translate;
  private readonly title: HTMLElement;
  private readonly badge: HTMLElement;
  private readonly reason: HTMLElement;
  private readonly error: HTMLElement;
  private readonly facts: HTMLElement;
  private readonly bestBox: HTMLElement;
  private readonly importance: BarList;
  private readonly importanceEmpty: HTMLElement;
  private readonly buttons: Record<'stop' | 'copy' | 'createModel', ControlElement>;
  private readonly clock: ReturnType<typeof setInterval>;
  /** trial events come with every objective point of every running trial: the table and plots are redrawn once a frame */
  private readonly trialsFrame: FrameBatch;
  private tuning: Tuning | null = null;
  private trials: TuningTrial[] = [];

  constructor(parent: HTMLElement, options: { t: Translate; act: (action: TuningViewAction) => void }) {
    const doc = parent.ownerDocument;
    this.doc = doc;
    ensureStyles(doc);
    const { t, act } = options;
    this.t = t;
    this.title = h(doc, 'span', { className: 'emkit-title' });
    this.badge = h(doc, 'span', { className: 'emkit-badge emkit-state' });
    this.reason = h(doc, 'p', { className: 'emkit-reason' });
    this.error = h(doc, 'p', { className: 'emkit-reason emkit-feed-error' });
    this.facts = h(doc, 'dl', { className: 'emkit-facts' });
    this.bestBox = h(doc, 'div', { className: 'emkit-tuning-best', attrs: { 'aria-live': 'polite' } });
    this.buttons = {
      stop: actionButton(doc, 'stop', t('Stop'), () => act({ action: 'stop' })),
      copy: actionButton(doc, 'copy', t('Copy'), () => act({ action: 'copy' })),
      createModel: actionButton(doc, 'createModel', t('Create model from best'), () => {
        const best = this.tuning?.best;
        if (best) act({ action: 'createModel', trainingId: best.trainingId });
      }),
    };
    const section = (name: string, title: string) =>
      h(doc, 'section', { className: `emkit-section-${name}` }, [h(doc, 'h3', { text: title })]);
    const objective = section('objective', t('Objective over trials'));
    const parallel = section('parallel', t('Parameters against the objective'));
    const importance = section('importance', t('Parameter importance (%)'));
    const trials = section('trials', t('Trials'));
    this.element = h(doc, 'div', { className: 'emkit-view emkit-tuning-view' }, [
      h(doc, 'h2', {}, [this.title, this.badge]),
      this.reason,
      this.error,
      h(doc, 'div', { className: 'emkit-toolbar' }, Object.values(this.buttons)),
      this.bestBox,
      this.facts,
      objective,
      parallel,
      importance,
      trials,
    ]);
    parent.appendChild(this.element);
    this.objective = new ObjectiveChart(objective, t('No trial has a value yet.'));
    this.parallel = new ParallelCoordinates(parallel, t('No trial has a value yet.'));
    this.importanceEmpty = h(doc, 'p', { className: 'emkit-muted', text: t('Shown once two trials are complete.') });
    importance.appendChild(this.importanceEmpty);
    this.importance = new BarList(importance, 'emkit-importance');
    this.trialsTable = new TrialsTable(trials, t, (trainingId) => act({ action: 'openTraining', trainingId }));
    this.trialsFrame = new FrameBatch(doc, () => this.renderTrials());
    this.render();
    this.flush();
    // a running tuning's duration moves on by itself
    this.clock = setInterval(() => {
      if (this.tuning && !isSettled(tuningStates, this.tuning.state)) this.renderFacts();
    }, 1000);
  }

  get shown(): { tuning: Tuning | null; trials: readonly TuningTrial[] } {
    return { tuning: this.tuning, trials: this.trials };
  }

  handle(message: TuningViewMessage): void {
    switch (message.type) {
      case 'tuning':
        this.tuning = message.tuning;
        this.error.textContent = '';
        this.render();
        break;
      case 'trials':
        this.trials = [...message.trials].sort((a, b) => a.number - b.number);
        this.trialsFrame.schedule();
        break;
      case 'trial':
        mergeTrial(this.trials, message.trial);
        this.trialsFrame.schedule();
        break;
      case 'copied':
        break;
      case 'deleted':
        this.error.textContent = this.t('This tuning was deleted.');
        for (const button of Object.values(this.buttons)) button.disabled = true;
        break;
      case 'error':
        this.error.textContent = message.message;
        break;
    }
  }

  /** Draws now what waits for the next frame, and what needs a laid-out box (a tab shown after it was filled). */
  flush(): void {
    if (this.trialsFrame.pending) {
      this.trialsFrame.pending = false;
      this.renderTrials();
    }
    this.objective.flush();
  }

  dispose(): void {
    clearInterval(this.clock);
    this.objective.dispose();
    this.element.remove();
  }

  private render(): void {
    const tuning = this.tuning;
    this.title.textContent = tuning?.name ?? this.t('Loading…');
    this.badge.textContent = tuning?.state ?? '';
    this.badge.className = `emkit-badge emkit-state emkit-tone-${tuning ? stateTone(tuning.state) : 'busy'}`;
    this.reason.textContent = tuning?.stateReason ?? '';
    this.reason.hidden = !tuning?.stateReason;
    this.buttons.stop.disabled = !tuning || !canTransition(tuningStates, tuning.state, 'STOP IN PROGRESS');
    this.buttons.copy.disabled = !tuning;
    this.buttons.createModel.disabled = !tuning?.best;
    this.renderBest();
    this.renderFacts();
    const bars = importanceBars(tuning?.importance ?? null);
    this.importance.set(bars);
    this.importanceEmpty.hidden = bars.length > 0;
    // the best row and the plots' best line follow the tuning
    this.trialsFrame.schedule();
  }

  private renderBest(): void {
    const { doc, t } = this;
    const best = this.tuning?.best;
    if (!best) {
      this.bestBox.replaceChildren(h(doc, 'p', { className: 'emkit-muted', text: t('No best trial yet.') }));
      return;
    }
    const params = Object.entries(best.params)
      .map(([key, value]) => `${key}=${typeof value === 'number' ? formatValue(value) : String(value)}`)
      .join('  ');
    this.bestBox.replaceChildren(
      h(doc, 'div', { className: 'emkit-figure' }, [
        h(doc, 'span', { className: 'emkit-figure-value', text: formatValue(best.value) }),
        h(doc, 'span', {
          className: 'emkit-muted emkit-figure-label',
          text: t('Best {0}: trial {1} ({2})', this.tuning?.objective.metric ?? '', best.number, best.trainingName),
        }),
      ]),
      h(doc, 'p', { className: 'emkit-best-params', text: params }),
    );
  }

  private renderFacts(): void {
    const tuning = this.tuning;
    if (!tuning) return;
    const { t } = this;
    const { objective, trials } = tuning;
    const seconds = trainingSeconds(tuning);
    const aggregate =
      objective.aggregate === 'step'
        ? t('at step {0}', objective.step ?? '')
        : objective.aggregate === 'best'
          ? t('best')
          : t('last');
    const budget = tuning.maxDurationSeconds
      ? t('{0} of {1}', seconds === null ? '—' : formatDuration(seconds), formatDuration(tuning.maxDurationSeconds))
      : seconds === null
        ? '—'
        : formatDuration(seconds);
    const facts: [string, string][] = [
      [t('Objective'), `${objective.metric} (${objective.mode}, ${aggregate})`],
      [t('Trials'), t('{0} of {1}', trials.total, tuning.maxTrials)],
      [
        t('Outcomes'),
        t('{0} running, {1} complete, {2} pruned, {3} failed', trials.running, trials.complete, trials.pruned, trials.failed),
      ],
      [t('Algorithm'), tuning.algorithm],
      [t('Pruner'), tuning.pruner],
      [t('Parallel'), String(tuning.parallel)],
      [t('Duration'), budget],
      [t('Experiment'), tuning.experimentName],
      [t('Runs on'), tuning.cluster ?? t('this machine')],
    ];
    this.facts.replaceChildren(
      ...facts.flatMap(([term, value]) => [h(this.doc, 'dt', { text: term }), h(this.doc, 'dd', { text: value })]),
    );
  }

  private renderTrials(): void {
    const tuning = this.tuning;
    const keys = tuning ? Object.keys(tuning.space) : [...new Set(this.trials.flatMap((trial) => Object.keys(trial.params)))];
    const best = tuning?.best?.number ?? null;
    this.trialsTable.set(this.trials, keys, best);
    if (!tuning) return;
    const labels: [string, string] = [tuning.objective.metric, this.t('best so far')];
    this.objective.set(this.trials, tuning.objective.mode, labels);
    this.parallel.set(tuning.space, this.trials, tuning.objective.metric, tuning.objective.mode, best);
  }
}
