import { formatFigure } from '../evaluation-figures.js';
import type { Translate } from '../feeds/protocol.js';
import { formatDuration } from '../format.js';
import { stateTone } from '../presentation.js';
import type { Evaluation, EvaluationResult, ThresholdFigures } from '../schemas/evaluations.js';
import { evaluationStates, isSettled } from '../states.js';
import { BarList, histogramBars } from './bar-list.js';
import { ClassTable } from './class-table.js';
import { ConfusionMatrix } from './confusion-matrix.js';
import { actionButton, type ControlElement, h } from './dom.js';
import { PrCurveChart } from './pr-curve-chart.js';

/**
 * One evaluation in full: its state while it runs (rows done, stop), then its figures —
 * classification (headline metrics, the per-class table with the threshold slider, the
 * confusion matrix heat map, the PR curves), regression (errors and the residual histogram)
 * or clustering (cluster sizes) — and the misclassified samples.
 */
export class EvaluationView {
  readonly element: HTMLElement;
  readonly classes: ClassTable;
  readonly confusion: ConfusionMatrix;
  readonly prCurves: PrCurveChart;
  private readonly doc: Document;
  private readonly title: HTMLElement;
  private readonly badge: HTMLElement;
  private readonly progress: HTMLElement;
  private readonly reason: HTMLElement;
  private readonly facts: HTMLElement;
  private readonly headline: HTMLElement;
  private readonly unseen: HTMLElement;
  private readonly stopButton: ControlElement;
  private readonly sections: Record<'classification' | 'regression' | 'clustering' | 'errors', HTMLElement>;
  private readonly residuals: BarList;
  private readonly clusters: BarList;
  private readonly errors: HTMLElement;
  private readonly errorsHead: HTMLElement;
  private evaluation: Evaluation | null = null;

  constructor(
    parent: HTMLElement,
    private readonly t: Translate,
    options: { threshold: (evaluationId: string, threshold: number) => void; stop: (evaluationId: string) => void },
  ) {
    const doc = parent.ownerDocument;
    this.doc = doc;
    this.title = h(doc, 'span', { className: 'emkit-evaluation-title' });
    this.badge = h(doc, 'span', { className: 'emkit-badge emkit-evaluation-state' });
    this.progress = h(doc, 'span', { className: 'emkit-muted emkit-evaluation-progress', attrs: { 'aria-live': 'polite' } });
    this.stopButton = actionButton(doc, 'stopEvaluation', t('Stop'), () => {
      if (this.evaluation) options.stop(this.evaluation.id);
    });
    this.reason = h(doc, 'p', { className: 'emkit-reason emkit-evaluation-reason' });
    this.facts = h(doc, 'dl', { className: 'emkit-facts emkit-evaluation-facts' });
    this.headline = h(doc, 'div', { className: 'emkit-headline' });
    this.unseen = h(doc, 'p', { className: 'emkit-reason emkit-unseen' });
    const section = (name: string, title: string) =>
      h(doc, 'section', { className: `emkit-section-${name}` }, [h(doc, 'h3', { text: title })]);
    this.sections = {
      classification: section('classification', t('Per class')),
      regression: section('regression', t('Residuals')),
      clustering: section('clustering', t('Cluster sizes')),
      errors: section('errors', t('Misclassified samples')),
    };
    this.errorsHead = h(doc, 'thead');
    this.errors = h(doc, 'tbody');
    this.element = h(doc, 'div', { className: 'emkit-evaluation' }, [
      h(doc, 'div', { className: 'emkit-toolbar' }, [this.title, this.badge, this.progress, this.stopButton]),
      this.reason,
      this.facts,
      this.headline,
      this.unseen,
      this.sections.classification,
      this.sections.regression,
      this.sections.clustering,
      this.sections.errors,
    ]);
    parent.appendChild(this.element);
    const classification = this.sections.classification;
    this.classes = new ClassTable(classification, t, (threshold) => {
      if (this.evaluation) options.threshold(this.evaluation.id, threshold);
    });
    const charts = h(doc, 'div', { className: 'emkit-evaluation-charts' });
    classification.appendChild(charts);
    const matrixBox = h(doc, 'figure', { className: 'emkit-metric-chart emkit-confusion-box' }, [
      h(doc, 'figcaption', {}, [h(doc, 'span', { className: 'emkit-metric-tag', text: t('Confusion matrix') })]),
    ]);
    charts.appendChild(matrixBox);
    this.confusion = new ConfusionMatrix(matrixBox, t);
    this.prCurves = new PrCurveChart(charts, t);
    this.residuals = new BarList(this.sections.regression, 'emkit-residuals');
    this.clusters = new BarList(this.sections.clustering, 'emkit-clusters');
    this.sections.errors.appendChild(h(doc, 'table', { className: 'emkit-table emkit-errors' }, [this.errorsHead, this.errors]));
    this.set(null);
  }

  get shown(): Evaluation | null {
    return this.evaluation;
  }

  set(evaluation: Evaluation | null): void {
    const previous = this.evaluation;
    this.evaluation = evaluation;
    this.element.hidden = evaluation === null;
    if (!evaluation) return;
    const settled = isSettled(evaluationStates, evaluation.state);
    this.title.textContent = this.t('v{0} on {1}', evaluation.model.version, baseName(evaluation.data.path));
    this.badge.textContent = evaluation.state;
    this.badge.className = `emkit-badge emkit-evaluation-state emkit-tone-${stateTone(evaluation.state)}`;
    this.progress.textContent = settled ? '' : this.t('{0} rows done', evaluation.rowsDone.toLocaleString());
    this.stopButton.hidden = settled;
    this.stopButton.disabled = evaluation.state === 'STOP IN PROGRESS';
    this.reason.textContent = evaluation.stateReason ?? '';
    this.reason.hidden = !evaluation.stateReason;
    this.renderFacts(evaluation);
    // a result only changes with a new evaluation: the slider isn't reset by a repeated read
    const result = evaluation.result;
    if (previous?.id === evaluation.id && previous.result && result) return;
    this.renderResult(result, evaluation.atThreshold, evaluation.threshold);
  }

  /** The answer for the slider's threshold. */
  showThreshold(figures: ThresholdFigures): void {
    this.classes.showThreshold(figures);
    this.prCurves.mark(figures.perClass);
  }

  flush(): void {
    this.prCurves.flush();
  }

  dispose(): void {
    this.classes.dispose();
    this.prCurves.dispose();
  }

  private renderFacts(evaluation: Evaluation): void {
    const seconds = evaluation.result?.seconds;
    const facts: [string, string][] = [
      [this.t('Dataset'), evaluation.data.path],
      [this.t('Label column'), evaluation.data.label ?? '—'],
      [this.t('Task'), evaluation.task ?? '—'],
      [this.t('Rows'), (evaluation.result?.rows ?? evaluation.rowsDone).toLocaleString()],
      [this.t('Duration'), seconds === undefined ? '—' : formatDuration(seconds)],
      [this.t('Dataset hash'), evaluation.data.sha256 ? evaluation.data.sha256.slice(0, 12) : '—'],
    ];
    this.facts.replaceChildren(
      ...facts.flatMap(([term, value]) => [h(this.doc, 'dt', { text: term }), h(this.doc, 'dd', { text: value })]),
    );
  }

  private renderResult(result: EvaluationResult | null, atThreshold: ThresholdFigures | null, threshold: number): void {
    const classification = result?.classification ?? null;
    const regression = result?.regression ?? null;
    const clustering = result?.clustering ?? null;
    this.sections.classification.hidden = !classification;
    this.sections.regression.hidden = !regression;
    this.sections.clustering.hidden = !clustering;
    // a clustering has no labels to be wrong about
    this.sections.errors.hidden = !result || result.task === 'clustering';
    const figures: [string, number | null][] = [];
    if (classification) {
      figures.push(
        [this.t('Accuracy'), classification.accuracy],
        [this.t('Macro F1'), classification.macro.f1],
        [this.t('Weighted F1'), classification.weighted.f1],
        [this.t('ROC AUC'), classification.rocAuc],
      );
      if (classification.bestF1)
        figures.push([
          this.t('Best F1 at threshold {0}', formatFigure(classification.bestF1.threshold)),
          classification.bestF1.f1,
        ]);
      this.classes.set(classification, atThreshold, threshold);
      this.confusion.set(classification.classes, classification.confusionMatrix);
      this.prCurves.set(classification.prCurves);
      if (atThreshold) this.prCurves.mark(atThreshold.perClass);
      this.prCurves.element.hidden = !classification.prCurves.length;
    }
    if (regression) {
      figures.push([this.t('RMSE'), regression.rmse], [this.t('MAE'), regression.mae], [this.t('R²'), regression.r2]);
      this.residuals.set(histogramBars(regression.residuals.edges, regression.residuals.counts));
    }
    if (clustering) {
      figures.push([this.t('Silhouette'), clustering.silhouette]);
      this.clusters.set(clustering.clusters.map((c) => ({ label: String(c.cluster), value: c.size })));
    }
    this.headline.replaceChildren(
      ...figures.map(([label, value]) =>
        h(this.doc, 'div', { className: 'emkit-figure' }, [
          h(this.doc, 'span', { className: 'emkit-figure-value', text: formatFigure(value) }),
          h(this.doc, 'span', { className: 'emkit-muted emkit-figure-label', text: label }),
        ]),
      ),
    );
    const unseen = classification?.unseenLabels ?? [];
    this.unseen.hidden = !unseen.length;
    this.unseen.textContent = unseen.length
      ? this.t('Labels the model never saw (counted as errors): {0}', unseen.map((u) => `${u.label} (${u.count})`).join(', '))
      : '';
    this.renderErrors(result);
  }

  private renderErrors(result: EvaluationResult | null): void {
    const doc = this.doc;
    const regression = result?.task === 'regression';
    const heading = this.sections.errors.querySelector('h3');
    if (heading) heading.textContent = regression ? this.t('Largest residuals') : this.t('Misclassified samples');
    const headers = [
      this.t('Row'),
      this.t('Instance'),
      this.t('True label'),
      this.t('Predicted'),
      regression ? this.t('Residual') : this.t('Confidence'),
    ];
    this.errorsHead.replaceChildren(
      h(
        doc,
        'tr',
        {},
        headers.map((text) => h(doc, 'th', { text })),
      ),
    );
    const errors = result?.errors ?? [];
    this.errors.replaceChildren(
      ...(errors.length
        ? errors.map((error) =>
            h(doc, 'tr', { attrs: { 'data-row': String(error.row) } }, [
              h(doc, 'td', { className: 'emkit-num', text: String(error.row) }),
              h(doc, 'td', { className: 'emkit-instance', text: error.instance, title: error.instance }),
              h(doc, 'td', { text: String(error.label) }),
              h(doc, 'td', { text: String(error.predicted) }),
              h(doc, 'td', { className: 'emkit-num', text: formatFigure(regression ? error.residual : error.confidence) }),
            ]),
          )
        : [h(doc, 'tr', {}, [h(doc, 'td', { className: 'emkit-muted', text: this.t('None.'), attrs: { colspan: '5' } })])]),
    );
  }
}

function baseName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}
