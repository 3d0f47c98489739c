import type { DriftWindow, EndpointDrift, FeatureDrift } from '../schemas/monitoring.js';

/** One feature (or the predictions) across a stage's windows: a cell per window, null where it was not judged. */
export interface DriftRow {
  feature: string;
  /** the predictions' drift, drawn below the features */
  prediction: boolean;
  cells: (FeatureDrift | null)[];
  /** in the newest judged window */
  latest: FeatureDrift | null;
}

export interface DriftMatrix {
  stage: string | null;
  /** the stages that have windows, for the view's picker */
  stages: string[];
  /** oldest first, as the bridge lists them; the last one may still be filling */
  windows: DriftWindow[];
  /** the worst first: drifted in the newest judged window, then by its PSI; the predictions last */
  rows: DriftRow[];
}

const worse = (a: FeatureDrift | null, b: FeatureDrift | null): number =>
  Number(b?.drifted ?? false) - Number(a?.drifted ?? false) || (b?.psi ?? -1) - (a?.psi ?? -1);

/**
 * A stage's drift as a feature × window table, the worst feature first. `stage` null picks the
 * first stage with windows (the bridge lists one stage's windows together).
 */
export function driftMatrix(drift: EndpointDrift, stage: string | null): DriftMatrix {
  const stages = [...new Set(drift.windows.map((w) => w.stage))];
  const chosen = stage !== null && stages.includes(stage) ? stage : (stages[0] ?? null);
  const windows = drift.windows.filter((w) => w.stage === chosen).sort((a, b) => a.start.localeCompare(b.start));
  const features = new Set<string>();
  for (const window of windows) for (const f of window.features) features.add(f.feature);
  const newestJudged = [...windows].reverse().find((w) => w.judged) ?? null;
  const rows: DriftRow[] = [...features].map((feature) => ({
    feature,
    prediction: false,
    cells: windows.map((w) => w.features.find((f) => f.feature === feature) ?? null),
    latest: newestJudged?.features.find((f) => f.feature === feature) ?? null,
  }));
  rows.sort((a, b) => worse(a.latest, b.latest) || a.feature.localeCompare(b.feature));
  if (windows.some((w) => w.prediction))
    rows.push({
      feature: 'prediction',
      prediction: true,
      cells: windows.map((w) => w.prediction),
      latest: newestJudged?.prediction ?? null,
    });
  return { stage: chosen, stages, windows, rows };
}

/** The features drifted in the newest judged window, worst first (the view's summary line). */
export function driftedFeatures(matrix: DriftMatrix): string[] {
  return matrix.rows.filter((row) => !row.prediction && row.latest?.drifted).map((row) => row.feature);
}
