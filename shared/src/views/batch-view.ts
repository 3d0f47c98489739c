import type { BatchItemError, BatchViewAction, BatchViewMessage, Translate } from '../feeds/protocol.js';
import { formatDuration } from '../format.js';
import { batchFraction, batchProgressText, stateTone, trainingSeconds } from '../presentation.js';
import type { BatchInference } from '../schemas/batch-inferences.js';
import { batchInferenceStates, canTransition, isSettled } from '../states.js';
import { actionButton, type ControlElement, h } from './dom.js';
import { LogView } from './log-view.js';
import { ensureStyles } from './styles.js';

/**
 * One batch scoring job: its state, a live progress bar (done / total, rate, ETA), the model,
 * where it reads and writes ("Open output"), the bad items with their reasons and the workers'
 * log; Stop while it runs. Renders its feed's messages and asks its host, like the other views.
 */
export class BatchView {
  readonly element: HTMLElement;
  readonly log: LogView;
  private readonly doc: Document;
  private readonly t: Translate;
  private readonly title: HTMLElement;
  private readonly badge: HTMLElement;
  private readonly reason: HTMLElement;
  private readonly error: HTMLElement;
  private readonly bar: HTMLElement;
  private readonly progress: HTMLElement;
  private readonly facts: HTMLElement;
  private readonly errors: HTMLElement;
  private readonly buttons: Record<'stop' | 'openOutput' | 'openModel' | 'delete', ControlElement>;
  private batch: BatchInference | null = null;
  private readonly clock: ReturnType<typeof setInterval>;

  constructor(parent: HTMLElement, options: { t: Translate; act: (action: BatchViewAction) => void }) {
    const doc = parent.ownerDocument;
    this.doc = doc;
    ensureStyles(doc);
    const { t, act } = options;
    this.t = t;
    this.title = h(doc, 'span', { className: 'emkit-title' });
    this.badge = h(doc, 'span', { className: 'emkit-badge emkit-state' });
    this.reason = h(doc, 'p', { className: 'emkit-reason' });
    this.error = h(doc, 'p', { className: 'emkit-reason emkit-feed-error' });
    this.bar = h(doc, 'div', { className: 'emkit-progress-fill' });
    this.progress = h(doc, 'p', { className: 'emkit-batch-progress-text', attrs: { 'aria-live': 'polite' } });
    this.facts = h(doc, 'dl', { className: 'emkit-facts' });
    this.errors = h(doc, 'div', { className: 'emkit-batch-errors' });
    this.buttons = {
      stop: actionButton(doc, 'stop', t('Stop'), () => act({ action: 'stop' })),
      openOutput: actionButton(doc, 'openOutput', t('Open output'), () => act({ action: 'openOutput' })),
      openModel: actionButton(doc, 'openModel', t('Open model'), () => act({ action: 'openModel' })),
      delete: actionButton(doc, 'delete', t('Delete'), () => act({ action: 'delete' })),
    };
    const logSection = h(doc, 'section', { className: 'emkit-section-logs' }, [h(doc, 'h3', { text: t('Logs') })]);
    this.element = h(doc, 'div', { className: 'emkit-view emkit-batch-view' }, [
      h(doc, 'h2', {}, [this.title, this.badge]),
      this.reason,
      this.error,
      h(doc, 'div', { className: 'emkit-toolbar' }, Object.values(this.buttons)),
      h(
        doc,
        'div',
        { className: 'emkit-progress', attrs: { role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100' } },
        [this.bar],
      ),
      this.progress,
      this.facts,
      h(doc, 'h3', { text: t('Bad items') }),
      this.errors,
      logSection,
    ]);
    parent.appendChild(this.element);
    this.log = new LogView(logSection, t);
    this.setErrors([]);
    this.render();
    // the duration of a running job moves on by itself
    this.clock = setInterval(() => {
      if (this.batch && !isSettled(batchInferenceStates, this.batch.state)) this.renderFacts();
    }, 1000);
  }

  handle(message: BatchViewMessage): void {
    switch (message.type) {
      case 'batch':
        this.batch = message.batch;
        this.error.textContent = '';
        this.render();
        break;
      case 'log':
        if (message.reset) this.log.clear();
        this.log.append(message.text);
        break;
      case 'errors':
        this.setErrors(message.items);
        break;
      case 'deleted':
        this.error.textContent = this.t('This job was deleted.');
        for (const button of Object.values(this.buttons)) button.disabled = true;
        break;
      case 'error':
        this.error.textContent = message.message;
        break;
    }
  }

  /** Draws what needs a laid-out box (a tab shown after it was filled). */
  flush(): void {
    this.log.flush();
  }

  dispose(): void {
    clearInterval(this.clock);
    this.log.dispose();
    this.element.remove();
  }

  private render(): void {
    const batch = this.batch;
    this.title.textContent = batch?.name ?? '';
    this.badge.textContent = batch?.state ?? '';
    this.badge.className = `emkit-badge emkit-state emkit-tone-${batch ? stateTone(batch.state) : 'busy'}`;
    this.reason.textContent = batch?.reason ?? '';
    this.reason.hidden = !batch?.reason;
    const state = batch?.state;
    this.buttons.stop.disabled = !state || !canTransition(batchInferenceStates, state, 'STOP IN PROGRESS');
    // the predictions take their name when the job is COMPLETE or STOPPED; a FAILED job leaves none
    this.buttons.openOutput.disabled = state !== 'COMPLETE' && state !== 'STOPPED';
    this.buttons.openModel.disabled = !batch;
    this.buttons.delete.disabled = !state || !isSettled(batchInferenceStates, state);
    const fraction = batch ? batchFraction(batch.progress) : null;
    const percent = fraction === null ? 0 : Math.round(fraction * 100);
    this.bar.style.width = `${percent}%`;
    this.bar.className = `emkit-progress-fill emkit-tone-${batch ? stateTone(batch.state) : 'busy'}`;
    this.bar.parentElement?.setAttribute('aria-valuenow', String(percent));
    this.progress.textContent = batch ? batchProgressText(batch.progress, this.t) : this.t('Loading…');
    this.renderFacts();
  }

  private renderFacts(): void {
    const batch = this.batch;
    if (!batch) return;
    const seconds = trainingSeconds({ startedAt: batch.startedAt, endedAt: batch.finishedAt });
    const facts: [string, string][] = [
      [this.t('Model'), `${batch.model.name}:${batch.model.version}`],
      [this.t('Input'), batch.inputDataset ? `${batch.inputDataset} (${batch.input})` : batch.input],
      [this.t('Output'), batch.outputFile],
      ...(batch.outputDataset ? [[this.t('Dataset'), batch.outputDataset] as [string, string]] : []),
      [this.t('Workers'), String(batch.instances)],
      [this.t('Batch size'), String(batch.batchSize)],
      [this.t('Duration'), seconds === null ? '—' : formatDuration(seconds)],
      [this.t('Runs on'), batch.cluster ?? this.t('this machine')],
      ...(batch.schedule ? [[this.t('Schedule'), batch.schedule] as [string, string]] : []),
    ];
    this.facts.replaceChildren(
      ...facts.flatMap(([term, value]) => [h(this.doc, 'dt', { text: term }), h(this.doc, 'dd', { text: value })]),
    );
  }

  private setErrors(items: readonly BatchItemError[]): void {
    const { doc, t } = this;
    if (!items.length) {
      this.errors.replaceChildren(h(doc, 'p', { className: 'emkit-muted', text: t('No bad items.') }));
      return;
    }
    this.errors.replaceChildren(
      h(doc, 'table', { className: 'emkit-table' }, [
        h(doc, 'thead', {}, [h(doc, 'tr', {}, [h(doc, 'th', { text: t('Key') }), h(doc, 'th', { text: t('Reason') })])]),
        h(
          doc,
          'tbody',
          {},
          items.map((item) =>
            h(doc, 'tr', { attrs: { 'data-key': item.key } }, [
              h(doc, 'td', { text: item.key }),
              h(doc, 'td', { text: item.reason }),
            ]),
          ),
        ),
      ]),
    );
  }
}
