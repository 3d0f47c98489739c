import type { TrainingFileEntry, TrainingViewAction, TrainingViewMessage, Translate } from '../feeds/protocol.js';
import { formatDuration } from '../format.js';
import { stateTone, trainingSeconds } from '../presentation.js';
import { qualityNotes } from '../quality/notes.js';
import type { TrainingQuality } from '../schemas/training-quality.js';
import type { Training } from '../schemas/trainings.js';
import { canTransition, isSettled, trainingStates } from '../states.js';
import { formatEarlyStop } from '../workflows/early-stop.js';
import { actionButton, type ControlElement, h } from './dom.js';
import { LogView } from './log-view.js';
import { MetricsChart } from './metrics-chart.js';
import { ResourceChart } from './resource-chart.js';
import { ensureStyles } from './styles.js';
import { TrainingEnding } from './training-ending.js';

/**
 * One training in full: its state and settings, actions, the live log, the loss curves and
 * the files it wrote; a no-code one then ends with its model's holdout evaluation and a quick
 * test (TrainingEnding, made once the training has them). It renders what its feed says and asks its host to act; it never
 * talks to the bridge itself, so it runs the same in a JupyterLab widget and a VS Code webview.
 */
export class TrainingView {
  readonly element: HTMLElement;
  readonly log: LogView;
  readonly metrics: MetricsChart;
  readonly resources: ResourceChart;
  private readonly doc: Document;
  private readonly t: Translate;
  private readonly title: HTMLElement;
  private readonly badge: HTMLElement;
  private readonly reason: HTMLElement;
  private readonly quality: HTMLElement;
  private readonly facts: HTMLElement;
  private readonly parameters: HTMLElement;
  private readonly files: HTMLElement;
  private readonly error: HTMLElement;
  private readonly buttons: Record<'stop' | 'copy' | 'tune' | 'createModel' | 'saveRecipe' | 'openTensorboard', ControlElement>;
  private training: Training | null = null;
  private readonly act: (action: TrainingViewAction) => void;
  /** a no-code training's ending, made when the training turns out to be one */
  private endingPart: TrainingEnding | null = null;
  private readonly clock: ReturnType<typeof setInterval>;

  constructor(parent: HTMLElement, options: { t: Translate; act: (action: TrainingViewAction) => void }) {
    this.doc = parent.ownerDocument;
    ensureStyles(this.doc);
    const { t, act } = options;
    this.t = t;
    this.act = act;
    const doc = this.doc;
    this.title = h(doc, 'span', { className: 'emkit-title' });
    this.badge = h(doc, 'span', { className: 'emkit-badge emkit-state' });
    this.reason = h(doc, 'p', { className: 'emkit-reason' });
    this.quality = h(doc, 'ul', { className: 'emkit-quality', attrs: { role: 'status' } });
    this.error = h(doc, 'p', { className: 'emkit-reason emkit-feed-error' });
    this.facts = h(doc, 'dl', { className: 'emkit-facts' });
    this.parameters = h(doc, 'dl', { className: 'emkit-facts emkit-hyperparameters' });
    this.files = h(doc, 'ul', { className: 'emkit-files' });
    this.buttons = {
      stop: actionButton(doc, 'stop', t('Stop'), () => act({ action: 'stop' })),
      copy: actionButton(doc, 'copy', t('Copy'), () => act({ action: 'copy' })),
      tune: actionButton(doc, 'tune', t('Tune…'), () => act({ action: 'tune' })),
      createModel: actionButton(doc, 'createModel', t('Create model'), () => act({ action: 'createModel' })),
      saveRecipe: actionButton(doc, 'saveRecipe', t('Save as recipe'), () => act({ action: 'saveRecipe' })),
      openTensorboard: actionButton(doc, 'openTensorboard', t('Open TensorBoard'), () => act({ action: 'openTensorboard' })),
    };
    this.files.addEventListener('click', (event) => {
      const path = (event.target as HTMLElement).closest('li')?.dataset.path;
      if (path) act({ action: 'openFile', path });
    });
    const logSection = h(doc, 'section', { className: 'emkit-section-logs' }, [h(doc, 'h3', { text: t('Logs') })]);
    const metricsSection = h(doc, 'section', { className: 'emkit-section-metrics' }, [h(doc, 'h3', { text: t('Metrics') })]);
    const resourcesSection = h(doc, 'section', { className: 'emkit-section-resources' }, [
      h(doc, 'h3', { text: t('Resources: CPU and memory per rank') }),
    ]);
    this.element = h(doc, 'div', { className: 'emkit-view emkit-training-view' }, [
      h(doc, 'h2', {}, [this.title, this.badge]),
      this.reason,
      this.quality,
      this.error,
      h(doc, 'div', { className: 'emkit-toolbar' }, Object.values(this.buttons)),
      this.facts,
      h(doc, 'h3', { text: t('Hyperparameters') }),
      this.parameters,
      metricsSection,
      resourcesSection,
      logSection,
      h(doc, 'h3', { text: t('Files') }),
      this.files,
    ]);
    parent.appendChild(this.element);
    this.metrics = new MetricsChart(metricsSection, t);
    this.resources = new ResourceChart(resourcesSection, t);
    this.log = new LogView(logSection, t);
    this.setFiles([]);
    this.render();
    // the duration of a running training moves on by itself
    this.clock = setInterval(() => {
      if (this.training && !isSettled(trainingStates, this.training.state)) this.renderFacts();
    }, 1000);
  }

  handle(message: TrainingViewMessage): void {
    switch (message.type) {
      case 'training':
        this.training = message.training;
        this.error.textContent = '';
        this.render();
        break;
      case 'log':
        if (message.reset) this.log.clear();
        this.log.append(message.text);
        break;
      case 'metrics':
        this.metrics.setSeries(message.series);
        break;
      case 'metricPoints':
        this.metrics.appendPoints(message.points);
        break;
      case 'files':
        this.setFiles(message.files);
        break;
      case 'usage':
        this.resources.setUsage(message.usage);
        break;
      case 'usageRound':
        this.resources.addRound(message.data);
        break;
      case 'evaluation':
      case 'threshold':
      case 'prediction':
      case 'predictionError':
        this.makeEnding().handle(message);
        break;
      case 'error':
        this.error.textContent = message.message;
        break;
    }
  }

  /** A no-code training's evaluation and quick test; null for any other training. */
  get ending(): TrainingEnding | null {
    return this.endingPart;
  }

  /** Draws what needs a laid-out box (a tab shown after it was filled). */
  flush(): void {
    this.metrics.flush();
    this.resources.flush();
    this.log.flush();
    this.endingPart?.flush();
  }

  dispose(): void {
    clearInterval(this.clock);
    this.endingPart?.dispose();
    this.log.dispose();
    this.metrics.dispose();
    this.resources.dispose();
    this.element.remove();
  }

  private render(): void {
    const training = this.training;
    this.title.textContent = training?.name ?? '';
    this.badge.textContent = training?.state ?? '';
    this.badge.className = `emkit-badge emkit-state emkit-tone-${training ? stateTone(training.state) : 'busy'}`;
    this.reason.textContent = training?.stateReason ?? '';
    this.reason.hidden = !training?.stateReason;
    const state = training?.state;
    this.buttons.stop.disabled = !state || !canTransition(trainingStates, state, 'STOP IN PROGRESS');
    this.buttons.copy.disabled = !training;
    this.buttons.tune.disabled = !training;
    this.buttons.createModel.disabled = state !== 'COMPLETE';
    this.buttons.saveRecipe.disabled = state !== 'COMPLETE';
    this.buttons.openTensorboard.disabled = !training;
    this.renderFacts();
    if (training && TrainingEnding.applies(training)) this.makeEnding().setTraining(training);
    this.renderQuality(training?.quality ?? null);
    const entries = Object.entries(training?.hyperparameters ?? {});
    this.parameters.replaceChildren(
      ...(entries.length
        ? entries.flatMap(([key, value]) => [h(this.doc, 'dt', { text: key }), h(this.doc, 'dd', { text: value })])
        : [h(this.doc, 'dd', { className: 'emkit-muted', text: this.t('none') })]),
    );
  }

  private renderFacts(): void {
    const training = this.training;
    if (!training) return;
    const seconds = trainingSeconds(training);
    const datasets = Object.entries(training.datasets);
    const facts: [string, string][] = [
      [this.t('State'), training.state],
      [this.t('Duration'), seconds === null ? '—' : formatDuration(seconds)],
      [this.t('Experiment'), training.experimentName],
      [this.t('Environment'), training.environment ?? training.python],
      [this.t('Instances'), String(training.instanceCount)],
      [this.t('Runs on'), training.cluster ?? this.t('this machine')],
      ...(training.placement.length
        ? [
            [this.t('Ranks'), training.placement.map((p) => this.t('rank {0} on {1}', String(p.rank), p.node)).join(', ')] as [
              string,
              string,
            ],
          ]
        : []),
      [this.t('Early stopping'), training.earlyStopping ? formatEarlyStop(training.earlyStopping) : this.t('none')],
      [this.t('Datasets'), datasets.length ? datasets.map(([name, path]) => `${name}=${path}`).join(', ') : this.t('none')],
    ];
    this.facts.replaceChildren(
      ...facts.flatMap(([term, value]) => [h(this.doc, 'dt', { text: term }), h(this.doc, 'dd', { text: value })]),
    );
  }

  private makeEnding(): TrainingEnding {
    this.endingPart ??= new TrainingEnding(this.element, this.t, this.act);
    return this.endingPart;
  }

  /** The flags above the charts, and on the charts they are about. */
  private renderQuality(quality: TrainingQuality | null): void {
    const notes = qualityNotes(quality, this.t);
    this.quality.replaceChildren(
      ...notes.map((note) =>
        h(this.doc, 'li', {
          className: `emkit-quality-${note.level}`,
          text: note.text,
          attrs: { 'data-kind': note.kind },
        }),
      ),
    );
    this.quality.hidden = notes.length === 0;
    const flags = new Map<string, string>();
    for (const note of notes) {
      if (note.kind === 'overfitting' && quality?.overfitting) {
        flags.set(quality.overfitting.train, note.text).set(quality.overfitting.validation, note.text);
      } else if (note.kind === 'plateau' && quality?.plateau) {
        flags.set(quality.plateau.train, note.text).set(quality.plateau.validation, note.text);
      }
    }
    for (const bad of quality?.nonFinite ?? []) {
      if (!flags.has(bad.tag)) flags.set(bad.tag, this.t('{0} is {1} at step {2}.', bad.tag, bad.value, bad.step));
    }
    this.metrics.setFlags(flags);
  }

  private setFiles(files: readonly TrainingFileEntry[]): void {
    this.files.replaceChildren(
      ...(files.length
        ? files.map((file) =>
            h(this.doc, 'li', {
              text: file.path,
              title: `${file.bytes.toLocaleString()} B`,
              attrs: { 'data-path': file.path, role: 'link', tabindex: '0' },
            }),
          )
        : [h(this.doc, 'li', { className: 'emkit-muted', text: this.t('No files yet.') })]),
    );
  }
}
