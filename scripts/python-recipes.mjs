// Writes server-bridge/python/src/emkit/recipes/catalog.json from the built-in recipes in
// shared/src/recipes/builtins.ts, so the Python recipes read the bridge's own defaults. Run after
// changing one (and `npx tsc -b`): a test fails until then.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PYTHON_RECIPES_FILE = join(
  dirname(dirname(fileURLToPath(import.meta.url))),
  'server-bridge',
  'python',
  'src',
  'emkit',
  'recipes',
  'catalog.json',
);

/** The file's text: model type → its task, datasets and parameters. */
export function renderPythonRecipes(builtins) {
  const catalog = {};
  for (const recipe of builtins) {
    catalog[recipe.name] = { task: recipe.task, datasets: recipe.datasets, parameters: recipe.parameters };
  }
  return `${JSON.stringify(catalog, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { BUILTIN_RECIPES } = await import('../shared/dist/index.js');
  writeFileSync(PYTHON_RECIPES_FILE, renderPythonRecipes(BUILTIN_RECIPES));
  console.log(`wrote ${PYTHON_RECIPES_FILE}`);
}
