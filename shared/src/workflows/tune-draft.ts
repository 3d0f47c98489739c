import { type Translate, untranslated } from '../feeds/protocol.js';
import { HYPERPARAMETER_KEY_PATTERN } from '../schemas/trainings.js';
import type { ParameterSpec, SearchSpace, TUNING_ALGORITHMS, TUNING_PRUNERS } from '../schemas/tunings.js';
import { formatParameterSpec, parseParameterSpec, SPACE_SPEC_STRINGS, SpaceSpecError } from '../tuning/space-spec.js';

const KEY = new RegExp(HYPERPARAMETER_KEY_PATTERN);

/**
 * The Tune form's rows, one rule for both editors: each parameter is searched (its range or
 * choices) or held fixed at its value; the rows become the tuning's `space` and `fixed`, read by
 * the same rules as the CLI's `--space` (space-spec.ts), so a row that can't be a range says why,
 * naming `space.<key>` as the bridge's 400 does.
 */
export const TUNE_DRAFT_STRINGS = {
  noneSearched: 'Search at least one parameter.',
  gridContinuous: 'space.{0}: grid search needs int, discrete or choice parameters.',
} as const;

export const SPACE_TYPES = ['uniform', 'loguniform', 'int', 'discrete', 'choice'] as const;
export type SpaceType = (typeof SPACE_TYPES)[number];

/** A row's kind in the form: one of the space's types, or held fixed at its value. */
export type RowKind = SpaceType | 'fixed';

export const ROW_KINDS: readonly RowKind[] = ['uniform', 'loguniform', 'int', 'discrete', 'choice', 'fixed'];
export const KIND_LABELS: Record<RowKind, string> = {
  uniform: 'uniform',
  loguniform: 'log-uniform',
  int: 'integer',
  discrete: 'discrete steps',
  choice: 'choice',
  fixed: 'fixed (not searched)',
};
export const ALGORITHM_LABELS: Record<(typeof TUNING_ALGORITHMS)[number], string> = {
  tpe: 'TPE (Bayesian)',
  random: 'random search',
  grid: 'grid search',
  cmaes: 'CMA-ES',
};
export const PRUNER_LABELS: Record<(typeof TUNING_PRUNERS)[number], string> = {
  none: 'none',
  median: 'median',
  hyperband: 'Hyperband',
};
/** The texts of the form's choices, for the catalogs. */
export const TUNE_FORM_CHOICE_STRINGS = [
  ...Object.values(KIND_LABELS),
  ...Object.values(ALGORITHM_LABELS),
  ...Object.values(PRUNER_LABELS),
];

/** One row as the form holds it: text, as typed. */
export interface SpaceRow {
  key: string;
  /** false: the parameter is held at `fixed` */
  search: boolean;
  type: SpaceType;
  low: string;
  high: string;
  step: string;
  /** a choice's values, comma-separated */
  values: string;
  fixed: string;
}

/** The rows for a space and the parameters' values: searched ones first as the space has them, then the fixed. */
export function rowsFromSpace(space: SearchSpace, parameters: Readonly<Record<string, string>>): SpaceRow[] {
  const rows: SpaceRow[] = Object.entries(space).map(([key, spec]) => ({
    ...emptyRow(key),
    search: true,
    fixed: parameters[key] ?? '',
    ...specFields(spec),
  }));
  for (const [key, value] of Object.entries(parameters))
    if (!(key in space)) rows.push({ ...emptyRow(key), search: false, fixed: value });
  return rows;
}

export function emptyRow(key = ''): SpaceRow {
  return { key, search: true, type: 'uniform', low: '', high: '', step: '', values: '', fixed: '' };
}

function specFields(spec: ParameterSpec): Pick<SpaceRow, 'type' | 'low' | 'high' | 'step' | 'values'> {
  // the choices as the CLI writes them: a JSON array where a value holds a comma
  if (spec.type === 'choice')
    return { type: 'choice', low: '', high: '', step: '', values: formatParameterSpec(spec).slice('choice:'.length) };
  // a log-scale int reads back from `int:low:high:log`
  const step = spec.type === 'int' && spec.log ? 'log' : 'step' in spec && spec.step !== undefined ? String(spec.step) : '';
  // a pre-filled bound around 2.9783847 needs no more than a few digits: 0.2978, not 0.29783847031
  const bound = (n: number) => String(Number(n.toPrecision(4)));
  return { type: spec.type, low: bound(spec.low), high: bound(spec.high), step, values: '' };
}

/** One searched row as a ParameterSpec, read as its `--space` text would be; throws a SpaceSpecError naming `space.<key>`. */
export function rowSpec(row: SpaceRow, t: Translate = untranslated): ParameterSpec {
  const parts =
    row.type === 'choice'
      ? [row.values.trim()]
      : [row.low.trim(), row.high.trim(), ...(row.step.trim() ? [row.step.trim()] : [])];
  // a discrete range needs its step: an empty one is said as the step at fault, not the shape
  if (row.type === 'discrete' && !row.step.trim()) parts.push('0');
  return parseParameterSpec(row.key, `${row.type}:${parts.join(':')}`, t);
}

/** The rows as the tuning's `space` and `fixed`; throws a SpaceSpecError on the first row that can't be. */
export function spaceFromRows(
  rows: readonly SpaceRow[],
  algorithm: string,
  t: Translate = untranslated,
): { space: SearchSpace; fixed: Record<string, string> } {
  const space: SearchSpace = {};
  const fixed: Record<string, string> = {};
  const seen = new Set<string>();
  for (const row of rows) {
    const key = row.key.trim();
    if (!key) continue;
    if (!KEY.test(key)) throw new SpaceSpecError(t(SPACE_SPEC_STRINGS.key, key), `space.${key}`);
    if (seen.has(key)) throw new SpaceSpecError(t(SPACE_SPEC_STRINGS.twice, key), `space.${key}`);
    seen.add(key);
    if (!row.search) {
      fixed[key] = row.fixed;
      continue;
    }
    if (algorithm === 'grid' && (row.type === 'uniform' || row.type === 'loguniform'))
      throw new SpaceSpecError(t(TUNE_DRAFT_STRINGS.gridContinuous, key), `space.${key}`);
    space[key] = rowSpec({ ...row, key }, t);
  }
  if (!Object.keys(space).length) throw new SpaceSpecError(t(TUNE_DRAFT_STRINGS.noneSearched), 'space');
  return { space, fixed };
}
