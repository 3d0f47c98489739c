import type { MetricPair } from '../schemas/training-quality.js';

type Role = 'train' | 'validation';

/** The words that mark a series as training or validation, as writers spell them. */
const ROLE_WORDS: Record<string, Role> = {
  train: 'train',
  training: 'train',
  val: 'validation',
  valid: 'validation',
  validation: 'validation',
  eval: 'validation',
  dev: 'validation',
};

/**
 * What a tag measures and in which role: `val_loss`, `val/loss`, `loss/validation`, `loss_val` and
 * `validation/epoch_loss` (Keras' run folders) are the validation series of `loss` (`epoch_loss`);
 * a tag with no role word is `plain` (Keras' `loss` beside `val_loss`).
 */
export function tagRole(tag: string): { base: string; role: Role | 'plain' } {
  const segments = tag.split('/');
  // a whole path segment: train/loss, loss/val, metrics/validation/loss
  for (let i = 0; i < segments.length; i++) {
    const role = ROLE_WORDS[(segments[i] as string).toLowerCase()];
    if (role && segments.length > 1) {
      return { base: [...segments.slice(0, i), ...segments.slice(i + 1)].join('/'), role };
    }
  }
  // a prefix or suffix of the last segment: val_loss, train-loss, loss_val
  const last = segments[segments.length - 1] as string;
  const head = segments.slice(0, -1);
  const match = /^([A-Za-z]+)[_-](.+)$/.exec(last) ?? undefined;
  const prefixRole = match && ROLE_WORDS[(match[1] as string).toLowerCase()];
  if (match && prefixRole) return { base: [...head, match[2]].join('/'), role: prefixRole };
  const suffix = /^(.+)[_-]([A-Za-z]+)$/.exec(last) ?? undefined;
  const suffixRole = suffix && ROLE_WORDS[(suffix[2] as string).toLowerCase()];
  if (suffix && suffixRole) return { base: [...head, suffix[1]].join('/'), role: suffixRole };
  return { base: tag, role: 'plain' };
}

/**
 * The training and validation series of the same metric, paired: an explicit training tag
 * (`train_loss`, `train/loss`) wins over a plain one (`loss`); each tag is in one pair at most.
 */
export function pairMetricTags(tags: readonly string[]): MetricPair[] {
  const byBase = new Map<string, { train?: string; plain?: string; validation?: string }>();
  for (const tag of [...tags].sort()) {
    const { base, role } = tagRole(tag);
    const entry = byBase.get(base) ?? {};
    if (entry[role] === undefined) entry[role] = tag;
    byBase.set(base, entry);
  }
  const pairs: MetricPair[] = [];
  for (const [metric, entry] of byBase) {
    const train = entry.train ?? entry.plain;
    if (train !== undefined && entry.validation !== undefined) pairs.push({ metric, train, validation: entry.validation });
  }
  return pairs.sort((a, b) => a.metric.localeCompare(b.metric));
}
