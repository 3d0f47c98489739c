/** A point of a metric series as the analyses read it: null is a value that was not a number (NaN). */
export interface QualityPoint {
  step: number;
  value: number | null;
}

/** The finite points, by step. */
export function finitePoints(points: readonly QualityPoint[]): { step: number; value: number }[] {
  return points
    .filter((p): p is { step: number; value: number } => p.value !== null && Number.isFinite(p.value))
    .sort((a, b) => a.step - b.step);
}

/** The value at `step`, or of the last point before it; undefined before the first. */
export function valueAt(points: readonly { step: number; value: number }[], step: number): number | undefined {
  let found: number | undefined;
  for (const point of points) {
    if (point.step > step) break;
    found = point.value;
  }
  return found;
}
