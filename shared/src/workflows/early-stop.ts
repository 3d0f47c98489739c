import { type Translate, untranslated } from '../feeds/protocol.js';
import { type EarlyStopping, MAX_PATIENCE, METRIC_TAG_PATTERN } from '../schemas/training-quality.js';

/**
 * `metric:mode:patience[:minDelta]` — `val_loss:min:5`, `val/accuracy:max:3:0.001` — as the CLI's
 * `--early-stop`, the magics' and the editors' forms take it. The metric may itself hold `:`; the
 * mode, patience and minDelta are read from the right.
 */
export const EARLY_STOP_STRINGS = {
  shape: '"{0}" is not metric:min|max:patience[:minDelta], e.g. val_loss:min:5.',
  patience: 'Early stopping: patience must be a whole number from 1 to {0}, not "{1}".',
  minDelta: 'Early stopping: minDelta must be a number of 0 or more, not "{0}".',
  metric: 'Early stopping: "{0}" is not a metric name (1 to 256 printable characters).',
} as const;

export class EarlyStopError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EarlyStopError';
  }
}

const SHAPE = /^(.+):(min|max):([^:]+)(?::([^:]+))?$/;
const METRIC = new RegExp(METRIC_TAG_PATTERN);

/** Throws an EarlyStopError in the front end's language (`t`; English by default). */
export function parseEarlyStop(text: string, t: Translate = untranslated): EarlyStopping {
  const trimmed = text.trim();
  const match = SHAPE.exec(trimmed);
  if (!match) throw new EarlyStopError(t(EARLY_STOP_STRINGS.shape, trimmed));
  const [, metric, mode, patienceText, minDeltaText] = match as unknown as [string, string, 'min' | 'max', string, string?];
  if (!METRIC.test(metric)) throw new EarlyStopError(t(EARLY_STOP_STRINGS.metric, metric));
  const patience = Number(patienceText);
  if (!/^\d+$/.test(patienceText) || patience < 1 || patience > MAX_PATIENCE) {
    throw new EarlyStopError(t(EARLY_STOP_STRINGS.patience, MAX_PATIENCE, patienceText));
  }
  const rule: EarlyStopping = { metric, mode, patience };
  if (minDeltaText !== undefined) {
    const minDelta = Number(minDeltaText);
    if (!/^[0-9.eE+-]+$/.test(minDeltaText) || !Number.isFinite(minDelta) || minDelta < 0) {
      throw new EarlyStopError(t(EARLY_STOP_STRINGS.minDelta, minDeltaText));
    }
    rule.minDelta = minDelta;
  }
  return rule;
}

/** The rule as the text parseEarlyStop reads back. */
export function formatEarlyStop(rule: EarlyStopping): string {
  return `${rule.metric}:${rule.mode}:${rule.patience}${rule.minDelta ? `:${rule.minDelta}` : ''}`;
}
