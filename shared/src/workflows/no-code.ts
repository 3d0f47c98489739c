import { BUILTIN_RECIPES } from '../recipes/builtins.js';
import type { Dataset, DatasetColumn, DatasetKind, DatasetSchema, SampleKind } from '../schemas/datasets.js';
import type { ModelType, RecipeParameter, RecipeTrain } from '../schemas/recipes.js';
import { noCodeNames } from './names.js';

/**
 * The "New model (no code)" flow's choices, both editors' (Entry's AI blocks): six cards, the
 * datasets that fit the one picked, the columns a table offers, defaults for everything, and
 * the recipe training they make — checked here, in words, before anything is sent.
 */

/** What a model of a type is called with in the quick test. */
export type NoCodeInput = 'image' | 'text' | 'audio' | 'row';

export interface NoCodeCard {
  modelType: ModelType;
  /** English; the hosts translate it (it is in VIEW_STRINGS) */
  title: string;
  explanation: string;
  input: NoCodeInput;
  /** the dataset kinds it takes, from the built-in recipe */
  datasetKinds: DatasetKind[];
}

const CARD_TEXT: Record<ModelType, { title: string; explanation: string; input: NoCodeInput }> = {
  'image-classification': {
    title: 'Classify images',
    explanation: 'Sorts pictures into the classes you name, from one folder of images per class.',
    input: 'image',
  },
  'text-classification': {
    title: 'Classify texts',
    explanation: 'Sorts sentences (Korean or English) into classes, from one folder per class or a table.',
    input: 'text',
  },
  'audio-classification': {
    title: 'Classify sounds',
    explanation: 'Sorts short sounds into classes, from one folder of WAV files per class.',
    input: 'audio',
  },
  'number-classification': {
    title: 'Classify numbers',
    explanation: 'Sorts rows of numbers into classes by their K nearest neighbours.',
    input: 'row',
  },
  'number-prediction': {
    title: 'Predict a number',
    explanation: 'Predicts one column from the other numbers by linear regression.',
    input: 'row',
  },
  clustering: {
    title: 'Group numbers',
    explanation: 'Groups rows of numbers into K clusters that are alike (k-means).',
    input: 'row',
  },
};

/** The parameters the form shows besides the columns and K, with their labels; the rest keep their defaults. */
const PARAMETER_LABELS: Record<string, string> = {
  epochs: 'Epochs',
  learning_rate: 'Learning rate',
  batch_size: 'Batch size',
  image_size: 'Image size (pixels)',
  n_mels: 'Mel bands',
  max_seconds: 'Seconds per sound',
  ngram_max: 'Longest n-gram',
  C: 'Regularisation C',
  weights: 'Neighbour weights',
  scale: 'Standardise the features',
  holdout: 'Held-out share',
};

/** The parameters the column choices and K stand for (not shown as plain fields). */
const COLUMN_PARAMETERS = new Set(['label', 'target', 'text', 'features', 'k']);

/** A string column with at most this many distinct values reads as a class label. */
const LABEL_MAX_DISTINCT = 50;

const SAMPLE_KIND: Partial<Record<ModelType, SampleKind>> = {
  'image-classification': 'image',
  'text-classification': 'text',
  'audio-classification': 'audio',
};

/** The error texts, for the catalogs (the hosts translate them with their args). */
export const NO_CODE_STRINGS = {
  chooseDataset: 'Choose a dataset first.',
  doesNotFit: 'Dataset {0} does not fit this model type.',
  oneClass: 'A classifier needs at least two classes; {0} has {1}.',
  emptyClass: 'Class {0} has no usable files.',
  chooseLabel: 'Choose the column holding the class.',
  chooseTarget: 'Choose the column to predict.',
  chooseText: 'Choose the column holding the text.',
  noColumn: 'Column {0} is not in the dataset.',
  notNumeric: 'Feature column {0} is not numeric.',
  chooseFeatures: 'Choose at least one numeric feature column.',
  labelIsFeature: 'Column {0} cannot be both predicted and a feature.',
  integer: '{0} must be a whole number from {1} to {2}.',
  number: '{0} must be a number from {1} to {2}.',
  choice: '{0} must be one of {1}.',
  boolean: '{0} must be true or false.',
} as const;

/** Every English text of this file the views show, for VIEW_STRINGS. */
export const NO_CODE_TEXTS = [
  ...Object.values(CARD_TEXT).flatMap((c) => [c.title, c.explanation]),
  ...Object.values(PARAMETER_LABELS),
  ...Object.values(NO_CODE_STRINGS),
];

export function builtinOf(type: ModelType) {
  const recipe = BUILTIN_RECIPES.find((r) => r.modelType === type);
  if (!recipe) throw new Error(`no built-in recipe for ${type}`);
  return recipe;
}

/** The six cards, in the order of the built-ins. */
export function noCodeCards(): NoCodeCard[] {
  return BUILTIN_RECIPES.map((recipe) => ({
    modelType: recipe.modelType,
    ...CARD_TEXT[recipe.modelType],
    datasetKinds: [...(recipe.datasets[0]?.kinds ?? [])],
  }));
}

/** How a model of this type is quick-tested. */
export function noCodeInput(type: ModelType): NoCodeInput {
  return CARD_TEXT[type].input;
}

const isNumeric = (column: DatasetColumn) => column.type === 'integer' || column.type === 'number';

/**
 * Whether a dataset's newest version suits a type: its kind is one the recipe takes, class
 * folders hold the files the type reads, and a table has the columns it needs.
 */
export function datasetFits(type: ModelType, dataset: Dataset): boolean {
  return schemaFits(type, dataset.latest.schema);
}

export function schemaFits(type: ModelType, schema: DatasetSchema): boolean {
  const kinds = builtinOf(type).datasets[0]?.kinds ?? [];
  if (kinds.length && !kinds.includes(schema.kind)) return false;
  if (schema.kind === 'class-folders') {
    const wanted = SAMPLE_KIND[type];
    return schema.classes.length > 0 && schema.classes.every((c) => c.sampleKind === wanted || c.count === 0);
  }
  if (schema.kind !== 'table') return false;
  if (type === 'text-classification') return schema.columns.filter((c) => c.type === 'string').length >= 1;
  if (type === 'clustering') return schema.columns.some(isNumeric);
  // a label or target, and at least one numeric feature besides it
  return schema.columns.length >= 2 && schema.columns.some(isNumeric);
}

/** The columns a table offers: any as the label, the numeric ones as features. */
export function tableColumns(schema: DatasetSchema): { label: string[]; features: string[] } {
  return { label: schema.columns.map((c) => c.name), features: schema.columns.filter(isNumeric).map((c) => c.name) };
}

/** What the form starts from for a type and a previewed version. */
export interface NoCodeChoices {
  dataset: { name: string; version: number; schema: DatasetSchema } | null;
  /** number-classification, text-classification (a table): the class column */
  label?: string;
  /** number-prediction: the column to predict */
  target?: string;
  /** text-classification (a table): the text column */
  text?: string;
  /** the numeric tables' feature columns */
  features?: string[];
  /** number-classification, clustering */
  k?: string;
  /** the other shown parameters (FORM_PARAMETERS), as typed */
  parameters: Record<string, string>;
}

/** The parameters the form shows as plain fields for a type, with their label. */
export function formParameters(type: ModelType): (RecipeParameter & { label: string })[] {
  return builtinOf(type)
    .parameters.filter((p) => !COLUMN_PARAMETERS.has(p.name) && PARAMETER_LABELS[p.name])
    .map((p) => ({ ...p, label: PARAMETER_LABELS[p.name] as string }));
}

/** Whether the type's form asks for K, and its range. */
export function kParameter(type: ModelType): RecipeParameter | undefined {
  return builtinOf(type).parameters.find((p) => p.name === 'k');
}

/** The class column a table suggests: the last low-cardinality string column, else the last column. */
function defaultLabel(schema: DatasetSchema): string | undefined {
  const labels = schema.columns.filter(
    (c) => c.type === 'string' && c.distinct !== null && c.distinct <= LABEL_MAX_DISTINCT && c.distinct >= 2,
  );
  return (labels.at(-1) ?? schema.columns.at(-1))?.name;
}

/** The defaults for a type on a previewed version (no dataset: only the parameters). */
export function defaultChoices(type: ModelType, dataset: NoCodeChoices['dataset'] = null): NoCodeChoices {
  const parameters = Object.fromEntries(formParameters(type).map((p) => [p.name, p.default ?? '']));
  const k = kParameter(type)?.default ?? undefined;
  const choices: NoCodeChoices = { dataset, parameters, ...(k ? { k } : {}) };
  const schema = dataset?.schema;
  if (schema?.kind !== 'table') return choices;
  const numericExcept = (skip?: string) => schema.columns.filter((c) => isNumeric(c) && c.name !== skip).map((c) => c.name);
  switch (type) {
    case 'text-classification': {
      const strings = schema.columns.filter((c) => c.type === 'string');
      const label = defaultLabel(schema);
      // the text: a string column other than the label, the one with the most distinct values
      const text = [...strings].filter((c) => c.name !== label).sort((a, b) => (b.distinct ?? 0) - (a.distinct ?? 0))[0];
      return { ...choices, label, text: text?.name ?? strings[0]?.name };
    }
    case 'number-classification': {
      const label = defaultLabel(schema);
      return { ...choices, label, features: numericExcept(label) };
    }
    case 'number-prediction': {
      const target = schema.columns.filter(isNumeric).at(-1)?.name;
      return { ...choices, target, features: numericExcept(target) };
    }
    case 'clustering':
      return { ...choices, features: numericExcept() };
    default:
      return choices;
  }
}

/** A choice the form must fix: the text (English, with `{0}` args for the translator) and the field it is about. */
export interface NoCodeError {
  text: string;
  args: (string | number)[];
  field: string;
}

export type NoCodeResult = { ok: true; name: string; body: RecipeTrain } | { ok: false; error: NoCodeError };

const fail = (field: string, text: string, ...args: (string | number)[]): NoCodeResult => ({
  ok: false,
  error: { text, args, field },
});

/** A value against its parameter's type and range; the error, or null. */
function checkValue(parameter: RecipeParameter, label: string, value: string): NoCodeResult | null {
  const v = value.trim();
  const { minimum = Number.NEGATIVE_INFINITY, maximum = Number.POSITIVE_INFINITY } = parameter;
  if (parameter.type === 'integer' || parameter.type === 'number') {
    const n = Number(v);
    const whole = parameter.type === 'integer';
    if (v === '' || !Number.isFinite(n) || (whole && !Number.isInteger(n)) || n < minimum || n > maximum)
      return fail(parameter.name, whole ? NO_CODE_STRINGS.integer : NO_CODE_STRINGS.number, label, minimum, maximum);
  } else if (parameter.type === 'choice') {
    if (!parameter.choices?.includes(v))
      return fail(parameter.name, NO_CODE_STRINGS.choice, label, (parameter.choices ?? []).join(', '));
  } else if (parameter.type === 'boolean') {
    if (v !== 'true' && v !== 'false') return fail(parameter.name, NO_CODE_STRINGS.boolean, label);
  }
  return null;
}

/**
 * The recipe training the choices make: the dataset pinned to the version previewed, the
 * columns and K, the other parameters as typed; a model named after the data and the type, so
 * training again adds a version (an iteration) to the same model.
 */
export function noCodeTraining(type: ModelType, choices: NoCodeChoices, now: Date = new Date()): NoCodeResult {
  const dataset = choices.dataset;
  if (!dataset) return fail('dataset', NO_CODE_STRINGS.chooseDataset);
  const { schema } = dataset;
  if (!schemaFits(type, schema)) return fail('dataset', NO_CODE_STRINGS.doesNotFit, dataset.name);
  const hyperparameters: Record<string, string> = {};

  if (schema.kind === 'class-folders') {
    const empty = schema.classes.find((c) => c.count === 0);
    if (empty) return fail('dataset', NO_CODE_STRINGS.emptyClass, empty.name);
    if (schema.classes.length < 2) return fail('dataset', NO_CODE_STRINGS.oneClass, dataset.name, schema.classes.length);
  } else {
    const byName = new Map(schema.columns.map((c) => [c.name, c]));
    const column = (field: string, name: string | undefined, missing: string): NoCodeResult | null => {
      if (!name) return fail(field, missing);
      return byName.has(name) ? null : fail(field, NO_CODE_STRINGS.noColumn, name);
    };
    const predicted = type === 'number-prediction' ? choices.target : type === 'clustering' ? undefined : choices.label;
    if (type === 'text-classification') {
      const bad =
        column('text', choices.text, NO_CODE_STRINGS.chooseText) ?? column('label', choices.label, NO_CODE_STRINGS.chooseLabel);
      if (bad) return bad;
      hyperparameters.text = choices.text as string;
      hyperparameters.label = choices.label as string;
    } else {
      const field = type === 'number-prediction' ? 'target' : 'label';
      if (type !== 'clustering') {
        const bad = column(
          field,
          predicted,
          type === 'number-prediction' ? NO_CODE_STRINGS.chooseTarget : NO_CODE_STRINGS.chooseLabel,
        );
        if (bad) return bad;
        hyperparameters[field] = predicted as string;
      }
      const features = choices.features ?? [];
      if (!features.length) return fail('features', NO_CODE_STRINGS.chooseFeatures);
      for (const name of features) {
        const found = byName.get(name);
        if (!found) return fail('features', NO_CODE_STRINGS.noColumn, name);
        if (!isNumeric(found)) return fail('features', NO_CODE_STRINGS.notNumeric, name);
        if (name === predicted) return fail('features', NO_CODE_STRINGS.labelIsFeature, name);
      }
      hyperparameters.features = features.join(',');
    }
  }

  const k = kParameter(type);
  if (k) {
    const bad = checkValue(k, 'K', choices.k ?? '');
    if (bad) return bad;
    hyperparameters.k = String(Number(choices.k));
  }
  for (const parameter of formParameters(type)) {
    const value = choices.parameters[parameter.name] ?? parameter.default ?? '';
    const bad = checkValue(parameter, parameter.label, value);
    if (bad) return bad;
    hyperparameters[parameter.name] = value.trim();
  }
  const names = noCodeNames(dataset.name, type, now);
  return {
    ok: true,
    name: names.training,
    body: {
      name: names.training,
      datasets: { train: `${dataset.name}:${dataset.version}` },
      hyperparameters,
      model: names.model,
    },
  };
}

/** The quick test's starting JSON for a model that takes text or rows (files need none). */
export function quickTestSample(type: ModelType, hyperparameters: Record<string, string>): string | null {
  const input = noCodeInput(type);
  if (input === 'text') return '["…"]';
  if (input !== 'row') return null;
  const features = (hyperparameters.features ?? '').split(',').filter(Boolean);
  if (!features.length) return null;
  return JSON.stringify([Object.fromEntries(features.map((f) => [f, 0]))]);
}
