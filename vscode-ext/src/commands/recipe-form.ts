import type { Dataset, Recipe, RecipeDataset, RecipeParameter } from '@emkit/shared';

// The "Train Recipe…" form's rules, DOM- and VS Code-free: which datasets a recipe's slot takes,
// what a value is missing, and what goes to the bridge. The bridge checks the same again; these
// say it while the user types, in words the command translates.

const INTEGER = /^[+-]?\d+$/;
// what Python's float() and the bridge take: no hex, no "1_000"
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BOOLEAN = /^(true|false)$/i;

/** What is wrong with a value, for the command to put in words (with `detail` in its {0}). */
export type ParameterProblem =
  | { problem: 'required' }
  | { problem: 'integer' | 'number' | 'boolean' }
  | { problem: 'choice'; detail: string }
  | { problem: 'minimum' | 'maximum'; detail: string }
  | { problem: 'column'; detail: string };

/** One value against its parameter: required, type, bounds, choices, and the columns of the train dataset when known. */
export function parameterProblem(
  parameter: RecipeParameter,
  value: string,
  columns: readonly string[] = [],
): ParameterProblem | undefined {
  const text = value.trim();
  if (text === '') return parameter.default === null ? { problem: 'required' } : undefined;
  const { type } = parameter;
  if (type === 'integer' && !INTEGER.test(text)) return { problem: 'integer' };
  if (type === 'number' && !NUMBER.test(text)) return { problem: 'number' };
  if (type === 'boolean' && !BOOLEAN.test(text)) return { problem: 'boolean' };
  if (type === 'choice' && !(parameter.choices ?? []).includes(text))
    return { problem: 'choice', detail: (parameter.choices ?? []).join(', ') };
  if (type === 'integer' || type === 'number') {
    const number = Number(text);
    if (parameter.minimum !== undefined && number < parameter.minimum)
      return { problem: 'minimum', detail: String(parameter.minimum) };
    if (parameter.maximum !== undefined && number > parameter.maximum)
      return { problem: 'maximum', detail: String(parameter.maximum) };
  }
  if ((type === 'column' || type === 'columns') && columns.length) {
    const names = type === 'column' ? [text] : text.split(',').map((c) => c.trim());
    const unknown = names.find((name) => name !== '' && !columns.includes(name));
    if (unknown !== undefined) return { problem: 'column', detail: unknown };
  }
  return undefined;
}

/** The datasets a recipe's slot takes (its kinds; none listed: any), each as `name:version`, newest version. */
export function datasetsThatFit(slot: RecipeDataset, datasets: readonly Dataset[]): { ref: string; dataset: Dataset }[] {
  return datasets
    .filter((dataset) => slot.kinds.length === 0 || slot.kinds.includes(dataset.latest.schema.kind))
    .map((dataset) => ({ ref: `${dataset.name}:${dataset.latest.version}`, dataset }));
}

/** The form's first values: each parameter's default ('' for a required one). */
export function initialValues(recipe: Recipe): Record<string, string> {
  return Object.fromEntries(recipe.parameters.map((p) => [p.name, p.default ?? '']));
}

/** The first parameter whose value is wrong, with its problem; undefined: the form can be sent. */
export function firstProblem(
  recipe: Recipe,
  values: Record<string, string>,
  columns: readonly string[] = [],
): { parameter: RecipeParameter; problem: ParameterProblem } | undefined {
  for (const parameter of recipe.parameters) {
    const problem = parameterProblem(parameter, values[parameter.name] ?? '', columns);
    if (problem) return { parameter, problem };
  }
  return undefined;
}

/** What the training is sent: the values that differ from the defaults (the bridge fills in the rest, and records all). */
export function changedValues(recipe: Recipe, values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    recipe.parameters
      .filter((p) => values[p.name] !== undefined && values[p.name]?.trim() !== (p.default ?? ''))
      .map((p) => [p.name, (values[p.name] as string).trim()]),
  );
}

/** The columns of a table dataset given as `name[:version]`, from the datasets listed (its newest version's schema). */
export function columnsOf(ref: string | undefined, datasets: readonly Dataset[]): string[] {
  if (!ref) return [];
  const name = ref.split(':')[0];
  const dataset = datasets.find((d) => d.name === name);
  return dataset?.latest.schema.kind === 'table' ? dataset.latest.schema.columns.map((c) => c.name) : [];
}
