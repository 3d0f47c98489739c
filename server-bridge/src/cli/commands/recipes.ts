import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DATASET_REF_PATTERN, formatTime, type Recipe } from '@emkit/shared';
import type { Command } from 'commander';
import { pairs } from '../arguments.js';
import { connect } from '../connect.js';
import { printItem, printList, printMessage } from '../output.js';
import { finish, waitFor } from './trainings.js';

const columns: [string, (r: Recipe) => unknown][] = [
  ['NAME', (r) => r.name],
  ['KIND', (r) => (r.builtin ? 'built-in' : 'saved')],
  ['TASK', (r) => r.task ?? ''],
  ['DATASETS', (r) => r.datasets.map((d) => d.name).join(', ')],
  ['FROM', (r) => r.source?.trainingName ?? ''],
  ['CREATED', (r) => (r.createdAt ? formatTime(r.createdAt) : '')],
];

const REF = new RegExp(DATASET_REF_PATTERN);

/** A dataset ref (`name[:version]`) stays as it is, unless a file or folder of that name is here; else an absolute path. */
export function datasetValue(value: string): string {
  return REF.test(value) && !existsSync(value) ? value : resolve(value);
}

/** A recipe's parameters and datasets, for people: what `recipe train` takes. */
function printSchema(recipe: Recipe): void {
  const line = (text: string) => process.stdout.write(`${text}\n`);
  line('');
  line('datasets (--dataset NAME=NAME_OR_PATH):');
  for (const d of recipe.datasets) line(`  ${d.name}${d.kinds.length ? ` [${d.kinds.join(' | ')}]` : ''}  ${d.description}`);
  line('parameters (--hp KEY=VALUE):');
  for (const p of recipe.parameters) {
    const bounds = [
      p.minimum === undefined ? '' : `≥ ${p.minimum}`,
      p.maximum === undefined ? '' : `≤ ${p.maximum}`,
      p.choices ? p.choices.join('|') : '',
    ]
      .filter(Boolean)
      .join(', ');
    const fallback = p.default === null ? 'required' : `default "${p.default}"`;
    line(`  ${p.name} (${p.type}${bounds ? `, ${bounds}` : ''}; ${fallback})  ${p.description}`);
  }
}

export function registerRecipes(program: Command): void {
  const recipe = program
    .command('recipe')
    .alias('recipes')
    .description('recipes: the six no-code model types, and trainings saved to run again on other data');

  recipe
    .command('list')
    .description('list recipes: the built-ins first, then the saved ones')
    .option('--limit <n>', 'at most this many', '1000')
    .action(async (options, command: Command) => {
      const globals = command.optsWithGlobals();
      const { items } = await connect(globals).api.listRecipes({ query: { limit: Number(options.limit) } });
      printList(globals, items, columns);
    });

  recipe
    .command('get <name>')
    .description('show a recipe with the datasets and parameters a training of it takes')
    .action(async (name: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      const found = await connect(globals).api.getRecipe({ params: { id: name } });
      if (globals.json) return printItem(globals, found);
      const { parameters: _p, datasets: _d, ...rest } = found;
      printItem(globals, rest);
      printSchema(found);
    });

  recipe
    .command('save <name>')
    .description('save a COMPLETE training as a recipe: its source, entry point, environment, parameters and dataset names')
    .requiredOption('--from <training>', 'the training to save')
    .option('--description <text>')
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const body = { training: options.from, name, ...(options.description ? { description: options.description } : {}) };
      printItem(globals, await connect(globals).api.saveRecipe({ body }));
    });

  recipe
    .command('delete <name>')
    .description('delete a saved recipe (the trainings made from it stay); built-ins are refused')
    .action(async (name: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      await connect(globals).api.deleteRecipe({ params: { id: name } });
      printMessage(globals, `recipe ${name} deleted`, { deleted: name });
    });

  recipe
    .command('train <recipe>')
    .description('train a recipe on your data: only datasets and parameter values, checked against the recipe first')
    .option('--dataset <name=dataset>', 'a dataset (repeatable): a dataset name[:version] or a path', pairs('dataset'), {})
    .option('--hp <key=value>', 'a parameter value (repeatable); the others take their defaults', pairs('hyperparameter'), {})
    .option('--model <name>', 'a built-in: the model it registers with its holdout evaluation (default: the training name)')
    .option('--no-model', 'a built-in: register no model')
    .option('--env <name>', "the environment to run in (default: the recipe's, else the bridge's Python)")
    .option('--experiment <name>', 'the experiment it belongs to (default: "default")')
    .option('--name <name>', 'default: the recipe name and the time')
    .option('--description <text>')
    .option('--wait', "stream the training's log on stderr and wait for the end; exit 6 unless it is COMPLETE")
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      const datasets = Object.fromEntries(
        Object.entries(options.dataset as Record<string, string>).map(([k, v]) => [k, datasetValue(v)]),
      );
      const training = await client.api.trainRecipe({
        params: { id: name },
        body: {
          datasets,
          hyperparameters: options.hp,
          // commander: --no-model sets model to false; --model NAME to the name; neither leaves it true
          ...(options.model === false ? { model: null } : typeof options.model === 'string' ? { model: options.model } : {}),
          ...(options.env ? { environment: options.env } : {}),
          ...(options.experiment ? { experiment: options.experiment } : {}),
          ...(options.name ? { name: options.name } : {}),
          ...(options.description ? { description: options.description } : {}),
        },
      });
      if (!options.wait) return printItem(globals, training);
      finish(globals, await waitFor(client, training, true));
    });
}
