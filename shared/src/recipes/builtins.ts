import type { ModelType, Recipe, RecipeParameter } from '../schemas/recipes.js';

/**
 * The six no-code model types (issue 16), the one list both sides read: the bridge answers
 * `/recipes` from it and checks values against it, the `emkit.recipes` Python package gets
 * a generated twin (scripts/python-recipes.mjs → emkit/recipes/catalog.json) for its
 * defaults. Each reads the dataset `train`, splits a stratified holdout, trains, logs its
 * curves and writes a model that takes raw inputs.
 */

const holdout: RecipeParameter = {
  name: 'holdout',
  type: 'number',
  default: '0.2',
  minimum: 0.05,
  maximum: 0.5,
  description: 'the share of the data kept aside to evaluate the model on (stratified by class)',
};
const seed: RecipeParameter = {
  name: 'seed',
  type: 'integer',
  default: '13',
  minimum: 0,
  maximum: 2_147_483_647,
  description: 'the seed of the split and of training, for a run that can be repeated',
};
const epochs = (value: number): RecipeParameter => ({
  name: 'epochs',
  type: 'integer',
  default: String(value),
  minimum: 1,
  maximum: 500,
  description: 'passes over the training data',
});
const learningRate: RecipeParameter = {
  name: 'learning_rate',
  type: 'number',
  default: '0.001',
  minimum: 0.000001,
  maximum: 1,
  description: "the optimizer's step size",
};
const batchSize: RecipeParameter = {
  name: 'batch_size',
  type: 'integer',
  default: '32',
  minimum: 1,
  maximum: 4096,
  description: 'samples per optimizer step',
};
const features: RecipeParameter = {
  name: 'features',
  type: 'columns',
  default: '',
  description: 'the numeric feature columns, comma-separated; empty: every column but the label or target',
};
const scale: RecipeParameter = {
  name: 'scale',
  type: 'boolean',
  default: 'true',
  description: 'standardise each feature first (mean 0, variance 1)',
};
const classFolders = (what: string) => ({
  name: 'train',
  kinds: ['class-folders' as const],
  description: `one subfolder per class, holding ${what}`,
});
const table = { name: 'train', kinds: ['table' as const], description: 'a table (CSV, Parquet or JSONL)' };

type Builtin = Omit<Recipe, 'id' | 'builtin' | 'environment' | 'source' | 'createdAt' | 'entryPoint'> & { modelType: ModelType };

export const BUILTIN_RECIPES: readonly Builtin[] = [
  {
    name: 'image-classification',
    modelType: 'image-classification',
    task: 'classification',
    description: 'Sort images into classes: a small convolutional network trained on your class folders of PNG or JPEG files',
    datasets: [classFolders('PNG or JPEG images')],
    parameters: [
      epochs(15),
      learningRate,
      batchSize,
      {
        name: 'image_size',
        type: 'integer',
        default: '32',
        minimum: 8,
        maximum: 224,
        description: 'images are resized to this many pixels a side',
      },
      {
        name: 'backbone',
        type: 'string',
        default: '',
        description: 'optional: a pretrained backbone file already on disk (never downloaded); empty: trained from scratch',
      },
      holdout,
      seed,
    ],
  },
  {
    name: 'text-classification',
    modelType: 'text-classification',
    task: 'classification',
    description: 'Sort texts into classes (Korean and English alike): character n-grams and a linear classifier',
    datasets: [
      {
        name: 'train',
        kinds: ['class-folders', 'table'],
        description: 'one subfolder per class of .txt files, or a table with a text column and a label column',
      },
    ],
    parameters: [
      { name: 'text', type: 'column', default: 'text', description: 'a table: the column holding the text' },
      { name: 'label', type: 'column', default: 'label', description: 'a table: the column holding the class' },
      {
        name: 'ngram_max',
        type: 'integer',
        default: '4',
        minimum: 1,
        maximum: 8,
        description: 'the longest character n-gram used (from 1)',
      },
      {
        name: 'C',
        type: 'number',
        default: '10',
        minimum: 0.0001,
        maximum: 10000,
        description: 'inverse regularisation strength',
      },
      holdout,
      seed,
    ],
  },
  {
    name: 'audio-classification',
    modelType: 'audio-classification',
    task: 'classification',
    description: 'Sort sounds into classes: log-mel features of your class folders of WAV files and a small network',
    datasets: [classFolders('WAV files')],
    parameters: [
      epochs(30),
      learningRate,
      batchSize,
      { name: 'n_mels', type: 'integer', default: '40', minimum: 8, maximum: 128, description: 'mel bands of the features' },
      {
        name: 'sample_rate',
        type: 'integer',
        default: '16000',
        minimum: 8000,
        maximum: 48000,
        description: 'sounds are resampled to this rate',
      },
      {
        name: 'max_seconds',
        type: 'number',
        default: '2',
        minimum: 0.1,
        maximum: 30,
        description: 'sounds are cut or padded to this length',
      },
      holdout,
      seed,
    ],
  },
  {
    name: 'number-classification',
    modelType: 'number-classification',
    task: 'classification',
    description: 'Sort rows of numbers into classes by their K nearest neighbours',
    datasets: [table],
    parameters: [
      { name: 'label', type: 'column', default: null, description: 'the column holding the class' },
      features,
      { name: 'k', type: 'integer', default: '5', minimum: 1, maximum: 100, description: 'neighbours that vote' },
      {
        name: 'weights',
        type: 'choice',
        default: 'uniform',
        choices: ['uniform', 'distance'],
        description: 'uniform: each neighbour one vote; distance: nearer ones count more',
      },
      scale,
      holdout,
      seed,
    ],
  },
  {
    name: 'number-prediction',
    modelType: 'number-prediction',
    task: 'regression',
    description: 'Predict a number from other numbers by linear regression',
    datasets: [table],
    parameters: [
      { name: 'target', type: 'column', default: null, description: 'the column to predict' },
      features,
      scale,
      holdout,
      seed,
    ],
  },
  {
    name: 'clustering',
    modelType: 'clustering',
    task: 'clustering',
    description: 'Group rows of numbers into K clusters (k-means)',
    datasets: [table],
    parameters: [
      { ...features, description: 'the numeric columns, comma-separated; empty: every numeric column' },
      { name: 'k', type: 'integer', default: '3', minimum: 2, maximum: 100, description: 'how many clusters' },
      scale,
      holdout,
      seed,
    ],
  },
];

/** A built-in as the API answers it. */
export function builtinRecipe(builtin: Builtin): Recipe {
  return {
    ...builtin,
    id: builtin.name,
    builtin: true,
    entryPoint: 'train.py',
    environment: null,
    source: null,
    createdAt: null,
  };
}
