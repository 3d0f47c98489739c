import type { Translate } from '../feeds/protocol.js';
import { formatTime } from '../format.js';
import { baselineOf, belowBaseline, qualityMetrics, qualityWindows } from '../monitoring/model-quality.js';
import type { EndpointModelQuality } from '../schemas/monitoring.js';
import { h } from './dom.js';
import { formatValue } from './metrics-chart.js';

/** Windows listed at most: the newest. */
export const QUALITY_WINDOWS_SHOWN = 24;

/**
 * The model's accuracy in service: per window, the labelled predictions and each figure
 * (accuracy and F1, or MAE and RMSE) beside the model version's evaluation, the windows worse
 * than it marked; and how many labels named an inference the bridge never logged.
 */
export class QualityView {
  readonly element: HTMLElement;
  private readonly doc: Document;
  private readonly baseline: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly table: HTMLElement;

  constructor(
    parent: HTMLElement,
    private readonly t: Translate,
  ) {
    this.doc = parent.ownerDocument;
    this.baseline = h(this.doc, 'p', { className: 'emkit-muted emkit-quality-baseline' });
    this.summary = h(this.doc, 'p', { className: 'emkit-quality-summary', attrs: { role: 'status' } });
    this.table = h(this.doc, 'table', { className: 'emkit-table emkit-quality-table' });
    this.element = h(this.doc, 'div', { className: 'emkit-model-quality' }, [this.baseline, this.summary, this.table]);
    parent.appendChild(this.element);
    this.table.hidden = true;
    this.summary.textContent = t('No feedback yet: send the true labels of logged predictions to see accuracy over time.');
  }

  setQuality(quality: EndpointModelQuality, stage: string | null = null): void {
    const doc = this.doc;
    const t = this.t;
    const metrics = qualityMetrics(quality);
    const baselines = metrics.map((metric) => baselineOf(quality, metric));
    this.baseline.textContent = quality.baseline
      ? t(
          'Baseline (evaluation {0}): {1}',
          quality.baseline.evaluationId,
          metrics.map((m, i) => `${m} ${baselines[i] === null ? '—' : formatValue(baselines[i] as number)}`).join(', '),
        )
      : t('No baseline: evaluate the model version on its test data.');
    const windows = qualityWindows(quality, stage).slice(-QUALITY_WINDOWS_SHOWN);
    const latest = [...windows].reverse().find((w) => w.count > 0);
    const worse = latest ? metrics.filter((m, i) => belowBaseline(m, latest.metrics[m], baselines[i] ?? null)) : [];
    const figures = (window: typeof latest) =>
      metrics.map((m) => `${m} ${window?.metrics[m] === undefined ? '—' : formatValue(window.metrics[m] as number)}`).join(', ');
    this.summary.textContent = !latest
      ? t('No feedback yet: send the true labels of logged predictions to see accuracy over time.')
      : !quality.baseline
        ? t('Latest window: {0}', figures(latest))
        : worse.length
          ? t('Worse than the baseline in the latest window: {0}', worse.join(', '))
          : t('As good as the baseline in the latest window.');
    this.summary.dataset.worse = String(worse.length);
    if (quality.unmatchedFeedback > 0)
      this.summary.textContent += ` ${t('{0} labels named an unknown inference.', quality.unmatchedFeedback)}`;
    this.table.hidden = windows.length === 0;
    const head = h(doc, 'tr', {}, [
      h(doc, 'th', { text: t('Window') }),
      h(doc, 'th', { className: 'emkit-num', text: t('Labels') }),
      ...metrics.map((metric) => h(doc, 'th', { className: 'emkit-num', text: metric })),
    ]);
    const rows = windows.map((window) =>
      h(doc, 'tr', { attrs: { 'data-start': window.start } }, [
        h(doc, 'td', { text: formatTime(window.start) }),
        h(doc, 'td', { className: 'emkit-num', text: String(window.count) }),
        ...metrics.map((metric, i) => {
          const value = window.metrics[metric];
          const below = belowBaseline(metric, value, baselines[i] ?? null);
          return h(doc, 'td', {
            className: `emkit-num${below ? ' emkit-below-baseline' : ''}`,
            text: value === undefined ? '—' : formatValue(value),
            attrs: { 'data-metric': metric, 'data-below': String(below) },
          });
        }),
      ]),
    );
    this.table.replaceChildren(h(doc, 'thead', {}, [head]), h(doc, 'tbody', {}, rows));
  }

  dispose(): void {
    this.element.remove();
  }
}
