import type { Recipe, RecipeParameter } from '@emkit/shared';
import { HttpError } from '../server/errors.js';

const INTEGER = /^[+-]?\d+$/;
// what Python's float() and the form take: no hex, no "1_000"
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BOOLEAN = /^(true|false)$/i;

/** A parameter's type, told from a value as the runner types it back: integer, number, boolean, else string. */
export function inferType(value: string): 'integer' | 'number' | 'boolean' | 'string' {
  const text = value.trim();
  if (INTEGER.test(text)) return 'integer';
  if (NUMBER.test(text)) return 'number';
  if (BOOLEAN.test(text)) return 'boolean';
  return 'string';
}

/** One assignment of a notebook's parameters cell; `quoted`: written as a string literal. */
export interface CellParameter {
  name: string;
  value: string;
  quoted: boolean;
}

/**
 * A user recipe's parameters: a notebook's parameters cell gives the defaults and types of the
 * ones it assigns (in its order; `x = "5"` is a string, as the notebook has it); every
 * hyperparameter the training was given that the cell doesn't assign follows, its value as the default.
 */
export function inferParameters(hyperparameters: Record<string, string>, cell: readonly CellParameter[]): RecipeParameter[] {
  const parameter = (name: string, value: string, from: string, quoted = false): RecipeParameter => ({
    name,
    type: quoted ? 'string' : inferType(value),
    default: value,
    description: from,
  });
  const inCell = new Set(cell.map((p) => p.name));
  return [
    ...cell.map((p) => parameter(p.name, p.value, "from the notebook's parameters cell", p.quoted)),
    ...Object.entries(hyperparameters)
      .filter(([name]) => !inCell.has(name))
      .map(([name, value]) => parameter(name, value, 'as the training was given it')),
  ];
}

const bad = (name: string, message: string) =>
  new HttpError(400, 'validation', `hyperparameter "${name}": ${message}`, `hyperparameters.${name}`);
const missing = (name: string, message: string) =>
  new HttpError(422, 'unprocessable', `hyperparameter "${name}": ${message}`, `hyperparameters.${name}`);

/** One value against its parameter: type, bounds, choices. Columns are checked against the data elsewhere. */
function checkValue(parameter: RecipeParameter, value: string): void {
  const { name } = parameter;
  const text = value.trim();
  if (parameter.type === 'integer' && !INTEGER.test(text)) throw bad(name, `"${value}" is not an integer`);
  if (parameter.type === 'number' && !NUMBER.test(text)) throw bad(name, `"${value}" is not a number`);
  if (parameter.type === 'boolean' && !BOOLEAN.test(text)) throw bad(name, `"${value}" is not true or false`);
  if (parameter.type === 'choice' && !(parameter.choices ?? []).includes(value)) {
    throw bad(name, `"${value}" is not one of ${(parameter.choices ?? []).join(', ')}`);
  }
  if (parameter.type === 'integer' || parameter.type === 'number') {
    const number = Number(text);
    if (parameter.minimum !== undefined && number < parameter.minimum) {
      throw bad(name, `${value} is below the minimum, ${parameter.minimum}`);
    }
    if (parameter.maximum !== undefined && number > parameter.maximum) {
      throw bad(name, `${value} is above the maximum, ${parameter.maximum}`);
    }
  }
}

/**
 * The hyperparameters a recipe's training gets: its defaults overlaid by the values given, each
 * checked (400 naming `hyperparameters.<name>`); a parameter the recipe doesn't have is refused,
 * and one without a default must be given (422).
 */
export function resolveValues(recipe: Recipe, given: Record<string, string>): Record<string, string> {
  const known = new Map(recipe.parameters.map((p) => [p.name, p]));
  for (const name of Object.keys(given)) {
    if (!known.has(name)) {
      throw bad(name, `recipe "${recipe.name}" has no such parameter (it has ${[...known.keys()].join(', ') || 'none'})`);
    }
  }
  const values: Record<string, string> = {};
  for (const parameter of recipe.parameters) {
    const value = given[parameter.name] ?? parameter.default;
    if (value === null || (value === '' && parameter.default === null)) {
      throw missing(parameter.name, `required by recipe "${recipe.name}": ${parameter.description}`);
    }
    if (value !== '' || (parameter.type !== 'column' && parameter.type !== 'columns' && parameter.type !== 'string')) {
      checkValue(parameter, value);
    }
    values[parameter.name] = value;
  }
  return values;
}

/** `column` and `columns` values against the columns the train dataset has (422 naming the parameter). */
export function checkColumns(recipe: Recipe, values: Record<string, string>, columns: readonly string[], dataset: string): void {
  const has = new Set(columns);
  for (const parameter of recipe.parameters) {
    if (parameter.type !== 'column' && parameter.type !== 'columns') continue;
    const value = values[parameter.name] ?? '';
    const names = parameter.type === 'column' ? [value] : value.split(',').map((c) => c.trim());
    for (const column of names.filter((c) => c !== '')) {
      if (!has.has(column)) {
        throw missing(parameter.name, `dataset "${dataset}" has no column "${column}" (it has ${columns.join(', ') || 'none'})`);
      }
    }
  }
}
