import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetResolver } from '../datasets/resolve.js';
import type { Store } from '../store/index.js';
import { type ReferenceTable, trainingTable } from './reference.js';

/** The input columns a model declares, and where they were read (said in a refusal). */
export interface ModelInputs {
  columns: string[];
  from: string;
}

/** A table's columns that are the answer, not an input. */
const LABEL_COLUMNS = ['label', 'target'];
/** A training's hyperparameters that name its label column, as the recipes and common scripts spell them. */
const LABEL_PARAMETERS = ['label', 'target', 'label_column', 'target_column', 'labelColumn', 'targetColumn'];

/** The columns a built-in recipe's row model lists in its recipe.json. */
export function recipeInputs(artifactPath: string): string[] | undefined {
  try {
    const document = JSON.parse(readFileSync(join(artifactPath, 'recipe.json'), 'utf8')) as { columns?: unknown };
    const columns = document.columns;
    if (Array.isArray(columns) && columns.length > 0 && columns.every((c) => typeof c === 'string')) return columns;
  } catch {
    // no recipe.json, or not one of a row model
  }
  return undefined;
}

/**
 * The model's input columns where the model declares them: a built-in recipe's recipe.json;
 * else a scikit-learn estimator's own `feature_names_in_` (`declared`: read by loading it in its
 * Python, DeclaredInputs); else, for a model made by a training that used a table, that table's columns but its label
 * (`label`, `target`, or the column the training's `label`/`target` hyperparameter names).
 * Undefined otherwise (the logged instances' field names then stand for them). An ONNX or
 * TensorFlow model emkit serves takes one input tensor, whose name isn't a column: not read.
 */
export async function modelInputs(
  store: Store,
  resolve: DatasetResolver,
  modelId: string,
  columnsOf: (table: ReferenceTable) => Promise<string[]>,
  declared?: (modelId: string) => Promise<string[] | undefined>,
): Promise<ModelInputs | undefined> {
  const model = store.models.find(modelId);
  if (!model) return undefined;
  const recipe = recipeInputs(model.artifactPath);
  if (recipe) return { columns: recipe, from: 'its recipe.json' };
  const own = await declared?.(model.id);
  if (own) return { columns: own, from: 'its feature_names_in_' };
  const table = await trainingTable(store, resolve, model.id);
  if (!table) return undefined;
  let columns: string[];
  try {
    columns = await columnsOf(table);
  } catch {
    return undefined; // the training's table is gone or unreadable: it declares nothing now
  }
  const named = LABEL_PARAMETERS.map((key) => model.hyperparameters[key]).filter((v): v is string => !!v);
  const inputs = columns.filter((c) => !LABEL_COLUMNS.includes(c) && !named.includes(c));
  return inputs.length > 0 ? { columns: inputs, from: `its training table ${table.source}` } : undefined;
}
