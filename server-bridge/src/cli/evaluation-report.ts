import { type Evaluation, type EvaluationSummary, formatDuration, formatTable, type ThresholdFigures } from '@emkit/shared';

/** A figure as people read it: four decimals, blank when scikit-learn had none. */
export const figure = (value: number | null | undefined): string =>
  value === null || value === undefined ? '' : Number.isInteger(value) ? String(value) : value.toFixed(4);

/** The headline figures of a list row: `accuracy 0.9310  macroF1 0.9287`. */
export const headline = (evaluation: Pick<EvaluationSummary, 'metrics'>): string =>
  Object.entries(evaluation.metrics)
    .map(([name, value]) => `${name} ${figure(value)}`)
    .join('  ');

const title = (e: Evaluation | EvaluationSummary) =>
  `evaluation ${e.id} of ${e.model.name}:${e.model.version} on ${e.data.path}: ${e.state}`;

function thresholdTable(at: ThresholdFigures): string {
  return formatTable(
    ['CLASS', 'PRECISION', 'RECALL', 'F1', 'PREDICTED', 'SUPPORT'],
    at.perClass.map((c) => [c.class, figure(c.precision), figure(c.recall), figure(c.f1), c.predicted, c.support]),
  );
}

/**
 * What `emkit model evaluate --wait` and `emkit evaluation get` print: the headline figures, the per-class table,
 * the confusion matrix, the figures at the threshold, the labels the model never saw and the worst mistakes.
 */
export function evaluationReport(e: Evaluation, errorsShown = 10): string {
  const out: string[] = [title(e)];
  if (e.stateReason) out.push(`reason: ${e.stateReason}`);
  const result = e.result;
  if (!result) {
    if (e.rowsDone > 0) out.push(`rows done: ${e.rowsDone}`);
    return `${out.join('\n')}\n`;
  }
  out.push(`${result.rows} rows, ${result.task}, ${formatDuration(result.seconds)}`);
  const c = result.classification;
  if (c) {
    out.push(
      `accuracy ${figure(c.accuracy)}  macro F1 ${figure(c.macro.f1)}  weighted F1 ${figure(c.weighted.f1)}` +
        (c.rocAuc === null ? '' : `  ROC AUC ${figure(c.rocAuc)}`),
      '',
      formatTable(
        ['CLASS', 'PRECISION', 'RECALL', 'F1', 'SUPPORT', 'AVG PRECISION', 'ROC AUC'],
        [
          ...c.perClass.map((k) => [
            k.class,
            figure(k.precision),
            figure(k.recall),
            figure(k.f1),
            k.support,
            figure(k.averagePrecision),
            figure(k.rocAuc),
          ]),
          ['(macro)', figure(c.macro.precision), figure(c.macro.recall), figure(c.macro.f1), '', '', ''],
          ['(weighted)', figure(c.weighted.precision), figure(c.weighted.recall), figure(c.weighted.f1), '', '', ''],
        ],
      ),
      '',
      'confusion matrix (rows: true class, columns: predicted class)',
      formatTable(
        ['', ...c.classes.map(String)],
        c.confusionMatrix.map((row, i) => [c.classes[i], ...row]),
      ),
    );
    if (!c.hasScores && c.noScoresReason) out.push('', `no scores: ${c.noScoresReason}`);
    if (c.unseenLabels.length > 0) {
      out.push('', `labels the model never saw: ${c.unseenLabels.map((u) => `${u.label} (${u.count} rows)`).join(', ')}`);
    }
    if (c.bestF1) {
      out.push(
        '',
        `best F1 ${figure(c.bestF1.f1)} at threshold ${figure(c.bestF1.threshold)} (precision ${figure(c.bestF1.precision)}, recall ${figure(c.bestF1.recall)})`,
      );
    }
  }
  if (e.atThreshold) out.push('', `at threshold ${e.atThreshold.threshold}:`, thresholdTable(e.atThreshold));
  const r = result.regression;
  if (r) out.push(`RMSE ${figure(r.rmse)}  MAE ${figure(r.mae)}  R² ${figure(r.r2)}`);
  const k = result.clustering;
  if (k) {
    out.push(
      `silhouette ${figure(k.silhouette)}`,
      formatTable(
        ['CLUSTER', 'SIZE'],
        k.clusters.map((cluster) => [cluster.cluster, cluster.size]),
      ),
    );
  }
  if (result.errors.length > 0) {
    const shown = result.errors.slice(0, errorsShown);
    out.push(
      '',
      `${r ? 'largest residuals' : 'most confident mistakes'} (${shown.length} of ${result.errors.length} kept):`,
      formatTable(
        ['ROW', 'LABEL', 'PREDICTED', r ? 'RESIDUAL' : 'CONFIDENCE', 'INSTANCE'],
        shown.map((x) => [
          x.row,
          x.label,
          x.predicted,
          figure(r ? x.residual : x.confidence),
          x.instance.length > 60 ? `${x.instance.slice(0, 59)}…` : x.instance,
        ]),
      ),
    );
  }
  return `${out.join('\n')}\n`;
}
