import { MAX_TRIALS, type ParameterSpec, type ParameterValue, type SearchSpace, type TuningAlgorithm } from '@emkit/shared';
import { HttpError } from '../server/errors.js';

const invalid = (key: string, message: string) => new HttpError(400, 'validation', `space.${key}: ${message}`, `space.${key}`);

/** What the schema can't say of a space: the ranges' order, a log scale's positive low, a grid's finite size. */
export function checkSpace(space: SearchSpace, algorithm: TuningAlgorithm): void {
  for (const [key, spec] of Object.entries(space)) checkParameter(key, spec);
  if (algorithm === 'grid') gridSize(space);
}

function checkParameter(key: string, spec: ParameterSpec): void {
  if (spec.type === 'choice') {
    const seen = new Set(spec.values.map((v) => JSON.stringify(v)));
    if (seen.size !== spec.values.length) throw invalid(key, 'the choices must differ from one another');
    return;
  }
  if (!(spec.low < spec.high)) throw invalid(key, `low (${spec.low}) must be below high (${spec.high})`);
  const log = spec.type === 'loguniform' || (spec.type === 'int' && spec.log === true);
  if (log && spec.low <= 0) throw invalid(key, `a log scale needs low > 0, not ${spec.low}`);
  if (spec.type === 'int' && spec.log === true && (spec.step ?? 1) !== 1) throw invalid(key, 'a log scale takes step 1');
  if ((spec.type === 'int' || spec.type === 'discrete') && spec.step !== undefined && spec.step > spec.high - spec.low) {
    throw invalid(key, `step (${spec.step}) is larger than the range ${spec.low}..${spec.high}`);
  }
}

/** How many values a grid takes of one parameter; a continuous one has no grid. */
function gridCount(key: string, spec: ParameterSpec): number {
  switch (spec.type) {
    case 'choice':
      return spec.values.length;
    case 'int':
      return Math.floor((spec.high - spec.low) / (spec.step ?? 1)) + 1;
    case 'discrete':
      // as emkit.tuning.study.grid_values counts them: a hair of float error doesn't lose the last one
      return Math.floor((spec.high - spec.low) / spec.step + 1e-9) + 1;
    default:
      throw invalid(key, `grid search takes int, discrete and choice parameters, and this one is ${spec.type}`);
  }
}

/** The number of points of the grid (400 naming the parameter that has no grid, or the space if it is too big). */
export function gridSize(space: SearchSpace): number {
  let size = 1;
  for (const [key, spec] of Object.entries(space)) {
    size *= gridCount(key, spec);
    if (size > MAX_TRIALS) {
      throw new HttpError(400, 'validation', `space: the grid has more than ${MAX_TRIALS} points; narrow it`, 'space');
    }
  }
  return size;
}

const FLOAT_TYPES = new Set<ParameterSpec['type']>(['uniform', 'loguniform', 'discrete']);

/**
 * A trial's value as its training's hyperparameter (a string, as every hyperparameter is): a float stays
 * a float in the parameters cell and `--key` (2 → "2.0"), a bool is "true"/"false".
 */
export function formatValue(spec: ParameterSpec | undefined, value: ParameterValue): string {
  // a step's multiple carries float error (0.1 + 2 × 0.1 is 0.30000000000000004): 12 digits say it
  if (typeof value === 'number' && spec?.type === 'discrete') value = Number(value.toPrecision(12));
  if (typeof value === 'number' && spec && FLOAT_TYPES.has(spec.type) && Number.isInteger(value)) return value.toFixed(1);
  return String(value);
}
