import type { ModelViewAction, ModelViewMessage, Translate } from '../feeds/protocol.js';
import type { ModelIterations } from '../schemas/evaluations.js';
import { actionButton, type ControlElement, h } from './dom.js';
import { EvaluationView } from './evaluation-view.js';
import { IterationsTable } from './iterations-table.js';
import { QuickTestBox } from './quick-test.js';
import { ensureStyles } from './styles.js';

/**
 * One model name: its versions as iterations side by side, the chosen version's latest
 * evaluation in full (threshold slider, confusion matrix, PR curves, mistakes), and a quick
 * test of that version. Like the other views it renders its feed's messages and asks its host
 * to act, so it runs the same in a JupyterLab tab and a VS Code webview.
 */
export class ModelView {
  readonly element: HTMLElement;
  readonly iterations: IterationsTable;
  readonly evaluation: EvaluationView;
  readonly quickTest: QuickTestBox;
  private readonly doc: Document;
  private readonly t: Translate;
  private readonly act: (action: ModelViewAction) => void;
  private readonly title: HTMLElement;
  private readonly error: HTMLElement;
  private readonly versionTitle: HTMLElement;
  private readonly none: HTMLElement;
  private readonly buttons: Partial<Record<'evaluate' | 'promote' | 'score', ControlElement>>;
  private model: ModelIterations | null = null;
  private modelId: string | null = null;
  private requests = 0;
  /** the threshold and quick-test requests whose answers are still wanted: the latest of each */
  private pendingThreshold: number | null = null;
  private pendingPrediction: number | null = null;

  constructor(
    parent: HTMLElement,
    options: {
      name: string;
      t: Translate;
      act: (action: ModelViewAction) => void;
      /** the host scores a dataset with a version (the `score` action): show "Score a dataset…" */
      score?: boolean;
    },
  ) {
    this.doc = parent.ownerDocument;
    ensureStyles(this.doc);
    const doc = this.doc;
    const { t } = options;
    this.t = t;
    this.act = options.act;
    this.title = h(doc, 'span', { className: 'emkit-title', text: options.name });
    this.error = h(doc, 'p', { className: 'emkit-reason emkit-feed-error' });
    this.versionTitle = h(doc, 'h3', { className: 'emkit-version-title' });
    this.none = h(doc, 'p', { className: 'emkit-muted emkit-no-evaluation' });
    this.buttons = {
      evaluate: actionButton(
        doc,
        'evaluate',
        t('Evaluate…'),
        () => this.modelId && this.act({ action: 'evaluate', modelId: this.modelId }),
      ),
      promote: actionButton(
        doc,
        'promote',
        t('Promote…'),
        () => this.modelId && this.act({ action: 'promote', modelId: this.modelId }),
      ),
      ...(options.score
        ? {
            score: actionButton(
              doc,
              'score',
              t('Score a dataset…'),
              () => this.modelId && this.act({ action: 'score', modelId: this.modelId }),
            ),
          }
        : {}),
    };
    const iterationsSection = h(doc, 'section', { className: 'emkit-section-iterations' }, [
      h(doc, 'h3', { text: t('Iterations') }),
    ]);
    const evaluationSection = h(doc, 'section', { className: 'emkit-section-evaluation' }, [
      h(doc, 'div', { className: 'emkit-toolbar' }, [
        this.versionTitle,
        h(doc, 'span', { className: 'emkit-spacer' }),
        ...Object.values(this.buttons),
      ]),
      this.none,
    ]);
    const quickTestSection = h(doc, 'section', { className: 'emkit-section-quicktest' }, [
      h(doc, 'h3', { text: t('Quick test') }),
    ]);
    this.element = h(doc, 'div', { className: 'emkit-view emkit-model-view' }, [
      h(doc, 'h2', {}, [this.title]),
      this.error,
      iterationsSection,
      evaluationSection,
      quickTestSection,
    ]);
    parent.appendChild(this.element);
    this.iterations = new IterationsTable(iterationsSection, t, {
      selectVersion: (modelId) => this.act({ action: 'selectVersion', modelId }),
      selectDataset: (sha256) => this.act({ action: 'selectDataset', sha256 }),
    });
    this.evaluation = new EvaluationView(evaluationSection, t, {
      threshold: (evaluationId, threshold) => {
        const requestId = ++this.requests;
        this.pendingThreshold = requestId;
        this.act({ action: 'threshold', requestId, evaluationId, threshold });
      },
      stop: (evaluationId) => this.act({ action: 'stopEvaluation', evaluationId }),
    });
    this.quickTest = new QuickTestBox(quickTestSection, t, (input) => {
      if (!this.modelId) return;
      const requestId = ++this.requests;
      this.pendingPrediction = requestId;
      this.act({ action: 'predict', requestId, modelId: this.modelId, input });
    });
    this.renderVersion();
  }

  /** The version shown (its model id), null before the feed has said. */
  get version(): string | null {
    return this.modelId;
  }

  handle(message: ModelViewMessage): void {
    switch (message.type) {
      case 'iterations':
        this.model = message.iterations;
        this.error.textContent = '';
        this.iterations.set(message.iterations);
        this.renderVersion();
        break;
      case 'evaluation':
        this.error.textContent = '';
        this.modelId = message.modelId;
        // a new evaluation's figures replace any threshold answer still on its way
        if (message.evaluation?.id !== this.evaluation.shown?.id) this.pendingThreshold = null;
        this.evaluation.set(message.evaluation);
        this.iterations.select(message.modelId);
        this.renderVersion();
        break;
      case 'threshold':
        // a slower answer to an older position of the slider is dropped: the latest wins
        if (message.requestId === this.pendingThreshold) {
          this.pendingThreshold = null;
          this.evaluation.showThreshold(message.figures);
        }
        break;
      case 'prediction':
        if (message.requestId === this.pendingPrediction) this.quickTest.showPrediction(message.prediction);
        break;
      case 'predictionError':
        if (message.requestId === this.pendingPrediction) this.quickTest.showError(message.message);
        break;
      case 'error':
        this.error.textContent = message.message;
        break;
    }
  }

  /** Draws what needs a laid-out box (a tab shown after it was filled). */
  flush(): void {
    this.evaluation.flush();
  }

  dispose(): void {
    this.evaluation.dispose();
    this.element.remove();
  }

  private renderVersion(): void {
    const line = this.model?.iterations.find((i) => i.modelId === this.modelId);
    this.versionTitle.textContent = line
      ? [`v${line.version}`, ...line.aliases.map((a) => `@${a}`)].join(' ')
      : this.modelId
        ? ''
        : this.t('No version chosen');
    const evaluated = this.evaluation.shown !== null;
    this.none.hidden = evaluated || !this.modelId;
    this.none.textContent = this.t('This version has not been evaluated yet: Evaluate… runs it on a held-out dataset.');
    for (const button of Object.values(this.buttons)) if (button) button.disabled = !this.modelId;
    this.quickTest.element.hidden = !this.modelId;
  }
}
