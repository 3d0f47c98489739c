import type { DriftWindow, ResourceSample, UsageProcessKind } from '@emkit/shared';

// The monitored series other parts of the bridge keep, as the alerts read them: each is optional, and a
// missing one (or one with nothing yet) reads as "no data" (null), which never fires a rule.

/** The latest judged drift window of an endpoint (one stage, or its default). */
export interface DriftSource {
  latest(endpointId: string, stage?: string): DriftWindow | null;
}

/** A quality metric (accuracy, f1, mae, rmse) of the latest window with feedback. */
export interface ModelQualitySource {
  latest(endpointId: string, stage: string | undefined, metric: string): { value: number } | null;
  /** the metrics the endpoint's task has (all four while it is unknown) */
  metricNames(endpointId: string, stage?: string): readonly string[];
}

/** The latest sample of each process of a resource. */
export interface UsageSource {
  latest(
    resource: 'trainings' | 'endpoints' | 'batch-inferences',
    id: string,
    stage?: string,
  ): { kind: UsageProcessKind; stage: string | null; sample: ResourceSample }[];
}

export interface AlertSources {
  drift?: DriftSource;
  modelQuality?: ModelQualitySource;
  usage?: UsageSource;
}

/** The quality metrics `endpoint.accuracy` reads, by task. */
export const QUALITY_METRICS = { classification: ['accuracy', 'f1'], regression: ['mae', 'rmse'] } as const;
export const ALL_QUALITY_METRICS: readonly string[] = [...QUALITY_METRICS.classification, ...QUALITY_METRICS.regression];
