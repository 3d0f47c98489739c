import type { AlertRule, AlertSeries } from '@emkit/shared';

/** Whether `value` crosses the threshold; no data (null) never does. */
export function holds(op: AlertRule['op'], value: number | null, threshold: number): boolean {
  if (value === null || Number.isNaN(value)) return false;
  switch (op) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
  }
}

const SERIES_WORDS: Record<AlertSeries, { words: string; unit: (v: number) => string }> = {
  'endpoint.errorRate': { words: 'error rate', unit: (v) => `${round(v * 100)} %` },
  'endpoint.p99LatencyMs': { words: 'p99 latency', unit: (v) => `${round(v)} ms` },
  'endpoint.requestsPerMinute': { words: 'requests per minute', unit: (v) => `${round(v)}` },
  'endpoint.featureDrift': { words: 'feature drift (PSI)', unit: (v) => `${round(v)}` },
  'endpoint.predictionDrift': { words: 'prediction drift (PSI)', unit: (v) => `${round(v)}` },
  'endpoint.accuracy': { words: 'accuracy', unit: (v) => `${round(v)}` },
  'worker.memoryMb': { words: 'worker memory', unit: (v) => `${round(v)} MB` },
  'worker.cpuPercent': { words: 'worker CPU', unit: (v) => `${round(v)} %` },
  'training.minutesSinceProgress': { words: 'minutes since its last log line or metric', unit: (v) => `${round(v)}` },
  'training.nanLoss': { words: 'NaN loss', unit: (v) => (v >= 1 ? 'yes' : 'no') },
};

const round = (v: number) => String(Math.round(v * 1000) / 1000);

export function seriesInWords(series: AlertSeries, detail: { feature?: string | null; metric?: string | null }): string {
  if (series === 'endpoint.featureDrift')
    return detail.feature ? `drift (PSI) of ${detail.feature}` : 'worst feature drift (PSI)';
  if (series === 'endpoint.accuracy') return detail.metric ?? 'accuracy';
  if (series === 'training.nanLoss') return detail.metric ? `non-finite ${detail.metric}` : 'NaN loss';
  return SERIES_WORDS[series].words;
}

export const valueInWords = (series: AlertSeries, value: number | null) =>
  value === null ? 'no data' : SERIES_WORDS[series].unit(value);

/** e.g. "endpoint iris: p99 latency 812 ms > 500 ms for 60 s". */
export function alertMessage(input: {
  kind: 'FIRING' | 'RESOLVED';
  subject: string;
  series: AlertSeries;
  feature?: string | null;
  metric?: string | null;
  op: AlertRule['op'];
  threshold: number;
  forSeconds: number;
  value: number | null;
}): string {
  if (input.series === 'training.nanLoss') {
    // a yes/no series: its threshold in words would say nothing
    return input.kind === 'FIRING'
      ? `${input.subject}: a loss went NaN or infinite`
      : `${input.subject}: no NaN or infinite loss (resolved)`;
  }
  const what = seriesInWords(input.series, input);
  const value = valueInWords(input.series, input.value);
  const threshold = valueInWords(input.series, input.threshold);
  if (input.kind === 'FIRING') {
    return `${input.subject}: ${what} ${value} ${input.op} ${threshold}${input.forSeconds > 0 ? ` for ${input.forSeconds} s` : ''}`;
  }
  return `${input.subject}: ${what} ${value}, no longer ${input.op} ${threshold} (resolved)`;
}
