import { resolve } from 'node:path';
import { formatTime, type Model } from '@emkit/shared';
import type { Command } from 'commander';
import { connect } from '../connect.js';
import { printItem, printList, printMessage } from '../output.js';
import { promotedEvaluationLine, registerModelEvaluations } from './evaluations.js';
import { registerModelPredict } from './model-predict.js';

const collect = (value: string, previous: string[]) => [...previous, value];

const columns: [string, (m: Model) => unknown][] = [
  ['NAME', (m) => m.name],
  ['VERSION', (m) => m.version],
  ['ALIASES', (m) => m.aliases.join(',')],
  ['FRAMEWORK', (m) => `${m.framework}${m.frameworkVersion ? ` ${m.frameworkVersion}` : ''}`],
  ['TRAINING', (m) => m.source.training?.name ?? ''],
  ['STATE', (m) => m.state],
  ['CREATED', (m) => formatTime(m.createdAt)],
];

export function registerModels(program: Command): void {
  const model = program.command('model').alias('models').description('models: numbered versions of a name, with aliases');

  model
    .command('create <name>')
    .description('register the next version from a COMPLETE training (--training) or an artifact (--path)')
    .option('--training <name>', 'the training whose EM_MODEL_DIR holds the model')
    .option('--path <path>', 'a model file or folder')
    .option('--framework <framework>', 'scikit-learn, pytorch, onnx, tensorflow or custom (default: told from the files)')
    .option('--framework-version <version>', 'default: the version installed where it was trained')
    .option('--alias <alias>', 'point this alias at the new version (repeatable)', collect, [])
    .option('--description <text>')
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      if (!options.training === !options.path) command.error('error: give --training or --path, one of them');
      printItem(
        globals,
        await connect(globals).api.createModel({
          body: {
            name,
            ...(options.training ? { training: options.training } : { artifactPath: resolve(options.path) }),
            ...(options.framework ? { framework: options.framework } : {}),
            ...(options.frameworkVersion ? { frameworkVersion: options.frameworkVersion } : {}),
            ...(options.description ? { description: options.description } : {}),
            aliases: options.alias,
          },
        }),
      );
    });

  model
    .command('list [name]')
    .description('list model versions, newest first (all, or those of one name)')
    .action(async (name: string | undefined, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      const { items } = await connect(globals).api.listModels({ query: { limit: 1000, ...(name ? { name } : {}) } });
      printList(globals, items, columns);
    });

  model
    .command('get <model>')
    .description('show a version: name (the newest), name:version or name@alias')
    .action(async (ref: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      printItem(globals, await connect(globals).api.getModel({ params: { id: ref } }));
    });

  model
    .command('promote <model> <alias>')
    .description('point an alias at a version, e.g. `emkit model promote churn:3 production`')
    .action(async (ref: string, alias: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      const promoted = await client.api.promoteModel({ params: { id: ref }, body: { alias } });
      // promote is an informed step: the version's evaluation comes with it
      const judged = await promotedEvaluationLine(client, promoted.name, promoted.version);
      printMessage(globals, `${promoted.name}@${alias} → version ${promoted.version}\n${judged.text}`, {
        ...promoted,
        evaluation: judged.evaluation,
      });
    });

  for (const [verb, active] of [
    ['activate', true],
    ['deactivate', false],
  ] as const) {
    model
      .command(`${verb} <model>`)
      .description(
        active
          ? "reactivate a version: it can be deployed, quick-tested and evaluated again (within the bridge's --max-active-models)"
          : "deactivate a version: it can't be deployed, quick-tested or evaluated until reactivated (stop its stages first)",
      )
      .action(async (ref: string, _options, command: Command) => {
        const globals = command.optsWithGlobals();
        const updated = await connect(globals).api.updateModel({ params: { id: ref }, body: { active } });
        printMessage(globals, `model ${updated.name}:${updated.version}: ${updated.state}`, updated);
      });
  }

  registerModelPredict(model);
  registerModelEvaluations(model);

  model
    .command('delete <model>')
    .description('delete a version and its artifact copy')
    .option(
      '--with-sources',
      'a deactivated version only: also delete the training that made it and the uploaded datasets nothing else uses',
    )
    .action(async (ref: string, options: { withSources?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals();
      const withSources = options.withSources === true;
      await connect(globals).api.deleteModel({ params: { id: ref }, ...(withSources ? { query: { withSources } } : {}) });
      printMessage(globals, `model ${ref}: deleted${withSources ? ' with its sources' : ''}`, { deleted: ref, withSources });
    });
}
