import type { EvaluationResult } from '@emkit/shared';

/**
 * A promote step's figure: a dotted path into the evaluation's result — first under its task's part
 * (`accuracy`, `macro.f1`, `weighted.recall`, `rocAuc`; `r2`, `rmse`, `mae`; `silhouette`), then from the
 * top (`rows`, `classification.accuracy`) — else the list's headline figures (`macroF1`). undefined: no such number.
 */
export function figureOf(
  result: EvaluationResult | null,
  headline: Record<string, number | null>,
  path: string,
): number | undefined {
  const keys = path.split('.');
  if (result) {
    const part = result[result.task as keyof EvaluationResult];
    for (const root of [part, result]) {
      const value = dig(root, keys);
      if (typeof value === 'number' && Number.isFinite(value)) return value;
    }
  }
  const value = headline[path];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function dig(root: unknown, keys: string[]): unknown {
  let at = root;
  for (const key of keys) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

export function comparisonHolds(value: number, comparison: '>=' | '>' | '<=' | '<', threshold: number): boolean {
  switch (comparison) {
    case '>=':
      return value >= threshold;
    case '>':
      return value > threshold;
    case '<=':
      return value <= threshold;
    case '<':
      return value < threshold;
  }
}

/** 0.912345 → "0.9123": enough to see why a gate passed or not. */
export const describeFigure = (value: number): string => String(Number(value.toPrecision(4)));
