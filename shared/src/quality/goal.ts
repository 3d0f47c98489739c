import type { MetricGoal } from '../schemas/metrics.js';

/** Loss- and error-like tags get better as they go down; everything else (accuracy, f1, …) as it goes up. */
export function metricGoal(tag: string): MetricGoal {
  return /loss|err|mse|mae|rmse|perplexity|ppl|cost|regret|distance|time|latency/i.test(tag) ? 'min' : 'max';
}
