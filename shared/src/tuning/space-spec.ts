import { type Translate, untranslated } from '../feeds/protocol.js';
import { HYPERPARAMETER_KEY_PATTERN, MAX_HYPERPARAMETERS } from '../schemas/trainings.js';
import { MAX_CHOICES, type ParameterSpec, type ParameterValue, type SearchSpace } from '../schemas/tunings.js';

/**
 * A search space as text — `lr=loguniform:1e-4:1e-1`, `depth=int:2:8`, `opt=choice:adam,sgd` — as the
 * CLI's `--space`, the magics and the editors' Tune form take it, and the pre-fill of that form from a
 * notebook's parameters cell. The Python package follows the same rules (`emkit.space_spec`); both
 * are tested against `space-spec.cases.json`.
 *
 *   uniform:low:high          a float, uniform
 *   loguniform:low:high       a float, uniform in log scale (low > 0)
 *   int:low:high[:step][:log] an integer (log: log scale, low ≥ 1, step 1)
 *   discrete:low:high:step    low, low + step, … up to high
 *   choice:a,b,c              one of the values; numbers and true/false are typed, "quoted" stays text;
 *                             or a JSON array, `choice:["1","a,b"]`, for values holding commas
 */
export const SPACE_SPEC_STRINGS = {
  entry: '"{0}" is not key=type:…, e.g. lr=loguniform:1e-4:1e-1.',
  key: '"{0}" is not a hyperparameter key (a letter or _, then letters, digits, _ or -; at most 64).',
  shape:
    'space.{0}: "{1}" is not uniform:low:high, loguniform:low:high, int:low:high[:step], discrete:low:high:step or choice:a,b,c.',
  number: 'space.{0}: "{1}" is not a number.',
  integer: 'space.{0}: "{1}" is not a whole number.',
  order: 'space.{0}: low ({1}) must be below high ({2}).',
  logLow: 'space.{0}: a log scale needs low above 0, not {1}.',
  step: 'space.{0}: the step must be above 0, not {1}.',
  intLog: 'space.{0}: a log-scale int takes no step.',
  choices: 'space.{0}: a choice needs 1 to {1} values, each a text, a number or true/false.',
  twice: 'space.{0} is given twice.',
  empty: 'The space is empty: give at least one key=type:…, e.g. lr=loguniform:1e-4:1e-1.',
  tooMany: 'The space has {0} parameters; at most {1}.',
} as const;

export class SpaceSpecError extends Error {
  /** `space.<key>` when one parameter is at fault, as the bridge's error envelope names it. */
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super(message);
    this.name = 'SpaceSpecError';
    this.field = field;
  }
}

const KEY = new RegExp(HYPERPARAMETER_KEY_PATTERN);
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/** `key=type:…` → [key, spec]; throws a SpaceSpecError in the front end's language (`t`; English by default). */
export function parseSpaceEntry(text: string, t: Translate = untranslated): [string, ParameterSpec] {
  const trimmed = text.trim();
  const equals = trimmed.indexOf('=');
  if (equals < 0) throw new SpaceSpecError(t(SPACE_SPEC_STRINGS.entry, trimmed));
  const key = trimmed.slice(0, equals).trim();
  if (!KEY.test(key)) throw new SpaceSpecError(t(SPACE_SPEC_STRINGS.key, key));
  return [key, parseParameterSpec(key, trimmed.slice(equals + 1), t)];
}

/** Several `key=type:…` entries (each `--space`) → the space; a key given twice is an error, not the last one winning. */
export function parseSpace(entries: readonly string[], t: Translate = untranslated): SearchSpace {
  const space: SearchSpace = {};
  for (const entry of entries) {
    const [key, spec] = parseSpaceEntry(entry, t);
    if (Object.hasOwn(space, key)) throw new SpaceSpecError(t(SPACE_SPEC_STRINGS.twice, key), `space.${key}`);
    space[key] = spec;
  }
  const size = Object.keys(space).length;
  if (size === 0) throw new SpaceSpecError(t(SPACE_SPEC_STRINGS.empty), 'space');
  if (size > MAX_HYPERPARAMETERS) throw new SpaceSpecError(t(SPACE_SPEC_STRINGS.tooMany, size, MAX_HYPERPARAMETERS), 'space');
  return space;
}

/** `type:…` (the part after `key=`) → the parameter's spec, checked as the bridge checks it. */
export function parseParameterSpec(key: string, text: string, t: Translate = untranslated): ParameterSpec {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  const type = (colon < 0 ? trimmed : trimmed.slice(0, colon)).trim();
  const rest = colon < 0 ? '' : trimmed.slice(colon + 1);
  const fail = (template: string, ...args: (string | number)[]): never => {
    throw new SpaceSpecError(t(template, key, ...args), `space.${key}`);
  };
  const parts = rest.split(':').map((p) => p.trim());
  const number = (part: string): number => {
    const value = Number(part);
    return NUMBER.test(part) && Number.isFinite(value) ? value : fail(SPACE_SPEC_STRINGS.number, part);
  };
  const integer = (part: string): number => {
    const value = Number(part);
    return INTEGER.test(part) && Number.isSafeInteger(value) ? value : fail(SPACE_SPEC_STRINGS.integer, part);
  };
  let spec: ParameterSpec;
  if ((type === 'uniform' || type === 'loguniform') && parts.length === 2) {
    spec = { type, low: number(parts[0]!), high: number(parts[1]!) };
  } else if (type === 'int' && parts.length >= 2 && parts.length <= 4) {
    spec = { type, low: integer(parts[0]!), high: integer(parts[1]!) };
    const options = parts.slice(2);
    if (options.at(-1) === 'log') {
      spec.log = true;
      options.pop();
    }
    if (options.length > 1) fail(SPACE_SPEC_STRINGS.shape, trimmed);
    if (options[0] !== undefined) spec.step = integer(options[0]);
  } else if (type === 'discrete' && parts.length === 3) {
    spec = { type, low: number(parts[0]!), high: number(parts[1]!), step: number(parts[2]!) };
  } else if (type === 'choice' && colon >= 0) {
    const values = parseChoices(rest.trim());
    if (!values || values.length === 0 || values.length > MAX_CHOICES) fail(SPACE_SPEC_STRINGS.choices, MAX_CHOICES);
    spec = { type, values: values! };
  } else {
    return fail(SPACE_SPEC_STRINGS.shape, trimmed);
  }
  checkParameterSpec(key, spec, t);
  return spec;
}

/**
 * The rules past the schema's shape — low below high, a log scale above 0, a positive step — that the
 * bridge answers with a 400 naming `space.<key>`; for forms that build the spec from typed fields.
 */
export function checkParameterSpec(key: string, spec: ParameterSpec, t: Translate = untranslated): void {
  const fail = (template: string, ...args: (string | number)[]): never => {
    throw new SpaceSpecError(t(template, key, ...args), `space.${key}`);
  };
  if (spec.type === 'choice') {
    if (spec.values.length === 0 || spec.values.length > MAX_CHOICES) fail(SPACE_SPEC_STRINGS.choices, MAX_CHOICES);
    return;
  }
  if (spec.low >= spec.high) fail(SPACE_SPEC_STRINGS.order, spec.low, spec.high);
  const log = spec.type === 'loguniform' || (spec.type === 'int' && spec.log === true);
  if (log && spec.low <= 0) fail(SPACE_SPEC_STRINGS.logLow, spec.low);
  if ((spec.type === 'int' || spec.type === 'discrete') && spec.step !== undefined && spec.step <= 0) {
    fail(SPACE_SPEC_STRINGS.step, spec.step);
  }
  if (spec.type === 'int' && spec.log === true && spec.step !== undefined && spec.step !== 1) fail(SPACE_SPEC_STRINGS.intLog);
}

/** `a,b,c` typed item by item, or a JSON array; undefined when it is neither. */
function parseChoices(text: string): ParameterValue[] | undefined {
  if (text.startsWith('[')) {
    try {
      const values: unknown = JSON.parse(text);
      if (!Array.isArray(values)) return undefined;
      return values.every((v) => ['string', 'number', 'boolean'].includes(typeof v)) ? (values as ParameterValue[]) : undefined;
    } catch {
      return undefined;
    }
  }
  const values: ParameterValue[] = [];
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') return undefined;
    values.push(choiceValue(item));
  }
  return values;
}

function choiceValue(item: string): ParameterValue {
  if (item === 'true' || item === 'false') return item === 'true';
  if (NUMBER.test(item) && Number.isFinite(Number(item))) return Number(item);
  const quoted = /^"(.*)"$/.exec(item);
  return quoted ? (quoted[1] ?? '') : item;
}

/** The spec as the text parseParameterSpec reads back (without `key=`). */
export function formatParameterSpec(spec: ParameterSpec): string {
  switch (spec.type) {
    case 'uniform':
    case 'loguniform':
      return `${spec.type}:${spec.low}:${spec.high}`;
    case 'int':
      return `int:${spec.low}:${spec.high}${spec.step !== undefined && spec.step !== 1 ? `:${spec.step}` : ''}${spec.log ? ':log' : ''}`;
    case 'discrete':
      return `discrete:${spec.low}:${spec.high}:${spec.step}`;
    case 'choice':
      return `choice:${spec.values.every(plainChoice) ? spec.values.map(String).join(',') : JSON.stringify(spec.values)}`;
  }
}

/** A value the comma form gives back as it was: not text that reads as a number or true/false. */
function plainChoice(value: ParameterValue): boolean {
  if (typeof value !== 'string') return true;
  return value !== '' && value === value.trim() && !/[,"]/.test(value) && !value.startsWith('[') && choiceValue(value) === value;
}

/** The space as `key=type:…` entries, one a `--space`. */
export function formatSpace(space: SearchSpace): string[] {
  return Object.entries(space).map(([key, spec]) => `${key}=${formatParameterSpec(spec)}`);
}

/** A parameters-cell assignment as notebookParameterEntries reads it: its literal text, and whether it was quoted. */
export interface ParameterLiteral {
  name: string;
  value: string;
  quoted: boolean;
}

/**
 * A space around the values a training starts from, for the Tune form's pre-fill: an integer becomes an
 * int range from half to twice it; a positive float log-uniform over [x/10, x*10], any other float
 * uniform around it; a text a choice of it; a bool a choice of true and false. From a record, a whole
 * number counts as an integer; from the notebook's entries (notebookParameterEntries) `1.0` stays a
 * float, a quoted value stays text, and literals that are none of these (lists, None) are left out —
 * they stay fixed.
 */
export function spaceFromParameters(params: Readonly<Record<string, ParameterValue>> | readonly ParameterLiteral[]): SearchSpace {
  const space: SearchSpace = {};
  const entries: [string, ParameterValue, boolean][] = Array.isArray(params)
    ? (params as readonly ParameterLiteral[]).flatMap((p) => {
        const typed = literalValue(p);
        return typed === undefined ? [] : [[p.name, typed.value, typed.float] as [string, ParameterValue, boolean]];
      })
    : Object.entries(params as Record<string, ParameterValue>).map(([k, v]) => [
        k,
        v,
        typeof v === 'number' && !Number.isInteger(v),
      ]);
  for (const [key, value, float] of entries) {
    if (!KEY.test(key)) continue;
    space[key] = specAround(value, float);
  }
  return space;
}

function literalValue(p: ParameterLiteral): { value: ParameterValue; float: boolean } | undefined {
  if (p.quoted) return { value: p.value, float: false };
  const text = p.value.trim();
  if (text === 'True' || text === 'False' || text === 'true' || text === 'false')
    return { value: /^[Tt]/.test(text), float: false };
  if (INTEGER.test(text) && Number.isSafeInteger(Number(text))) return { value: Number(text), float: false };
  if (NUMBER.test(text) && Number.isFinite(Number(text))) return { value: Number(text), float: true };
  return undefined;
}

function specAround(value: ParameterValue, float: boolean): ParameterSpec {
  if (typeof value === 'boolean') return { type: 'choice', values: [true, false] };
  if (typeof value === 'string') return { type: 'choice', values: [value] };
  if (!float) {
    if (value > 0) return { type: 'int', low: Math.max(1, Math.floor(value / 2)), high: value * 2 };
    if (value < 0) return { type: 'int', low: value * 2, high: Math.min(-1, Math.ceil(value / 2)) };
    return { type: 'int', low: 0, high: 10 };
  }
  if (value > 0) return { type: 'loguniform', low: tidy(value / 10), high: tidy(value * 10) };
  if (value < 0) return { type: 'uniform', low: tidy(value * 10), high: tidy(value / 10) };
  return { type: 'uniform', low: 0, high: 1 };
}

/** 0.1 / 10 is 0.009999999999999998 in floating point; the form should show 0.01. */
function tidy(value: number): number {
  return Number(value.toPrecision(12));
}
