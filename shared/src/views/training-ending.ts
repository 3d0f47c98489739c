import type { TrainingViewAction, TrainingViewMessage, Translate } from '../feeds/protocol.js';
import { MODEL_TYPES, type ModelType } from '../schemas/recipes.js';
import type { Training } from '../schemas/trainings.js';
import { noCodeInput, quickTestSample } from '../workflows/no-code.js';
import { h } from './dom.js';
import { EvaluationView } from './evaluation-view.js';
import { QuickTestBox } from './quick-test.js';

type EndingMessage = TrainingViewMessage & { type: 'evaluation' | 'threshold' | 'prediction' | 'predictionError' };

/**
 * How a no-code training (a built-in recipe's: it registers a model and evaluates it on the
 * data it kept aside) ends in its view: that holdout evaluation in full — headline figures,
 * per-class precision/recall with the threshold slider, confusion matrix — and a quick test of
 * the model with the input its type takes (an image or a sound file, a text, a row).
 */
export class TrainingEnding {
  readonly evaluation: EvaluationView;
  readonly quickTest: QuickTestBox;
  private readonly holdout: HTMLElement;
  private readonly note: HTMLElement;
  private readonly quickTestSection: HTMLElement;
  private training: Training | null = null;
  private requests = 0;
  /** the threshold and quick-test requests whose answers are still wanted: the latest of each */
  private pendingThreshold: number | null = null;
  private pendingPrediction: number | null = null;
  /** the model type the quick test was set up for */
  private quickTestType: ModelType | null = null;

  constructor(parent: HTMLElement, t: Translate, act: (action: TrainingViewAction) => void) {
    const doc = parent.ownerDocument;
    this.note = h(doc, 'p', {
      className: 'emkit-muted emkit-holdout-note',
      text: t('The model is evaluated on the held-out data when the training is COMPLETE.'),
    });
    this.holdout = h(doc, 'section', { className: 'emkit-section-holdout' }, [
      h(doc, 'h3', { text: t('Evaluation on the held-out data') }),
      this.note,
    ]);
    this.quickTestSection = h(doc, 'section', { className: 'emkit-section-quicktest' }, [
      h(doc, 'h3', { text: t('Quick test') }),
    ]);
    parent.append(this.holdout, this.quickTestSection);
    this.evaluation = new EvaluationView(this.holdout, t, {
      threshold: (evaluationId, threshold) => {
        const requestId = ++this.requests;
        this.pendingThreshold = requestId;
        act({ action: 'threshold', requestId, evaluationId, threshold });
      },
      // the holdout evaluation is part of the training: stopping the training stops it
      stop: () => act({ action: 'stop' }),
    });
    this.quickTest = new QuickTestBox(this.quickTestSection, t, (input) => {
      const modelId = this.training?.model?.id;
      if (!modelId) return;
      const requestId = ++this.requests;
      this.pendingPrediction = requestId;
      act({ action: 'predict', requestId, modelId, input });
    });
    this.render();
  }

  /** Whether a training ends this way: a built-in recipe's, with its model or evaluation. */
  static applies(training: Training | null): boolean {
    return Boolean(training?.evaluation || training?.model);
  }

  setTraining(training: Training): void {
    this.training = training;
    this.render();
  }

  handle(message: EndingMessage): void {
    switch (message.type) {
      case 'evaluation':
        if (message.evaluation.id !== this.evaluation.shown?.id) this.pendingThreshold = null;
        this.evaluation.set(message.evaluation);
        this.render();
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
    }
  }

  flush(): void {
    this.evaluation.flush();
  }

  dispose(): void {
    this.evaluation.dispose();
    this.holdout.remove();
    this.quickTestSection.remove();
  }

  private render(): void {
    this.note.hidden = this.evaluation.shown !== null;
    const training = this.training;
    const model = training?.model;
    this.quickTestSection.hidden = !model;
    const type = MODEL_TYPES.find((m) => m === training?.recipe) ?? null;
    if (!model || !type || type === this.quickTestType) return;
    // set up once per type: what the user typed or chose stays
    this.quickTestType = type;
    const input = noCodeInput(type);
    if (input === 'image' || input === 'audio') this.quickTest.acceptOnly(input);
    else {
      const sample = quickTestSample(type, training?.hyperparameters ?? {});
      if (sample) this.quickTest.instances = sample;
    }
  }
}
