import { readFileSync } from 'node:fs';
import { type EmkitClient, type Environment, environmentStates, formatTime, isSettled } from '@emkit/shared';
import type { Command } from 'commander';
import { connect } from '../connect.js';
import { EXIT } from '../exit-codes.js';
import { printItem, printList, printMessage } from '../output.js';

const collect = (value: string, previous: string[]) => [...previous, value];

const columns: [string, (e: Environment) => unknown][] = [
  ['NAME', (e) => e.name],
  ['MANAGER', (e) => e.manager],
  ['PYTHON', (e) => e.python],
  ['STATE', (e) => e.state],
  ['KERNEL', (e) => e.kernelName],
  ['CREATED', (e) => formatTime(e.createdAt)],
];

/** Print the creation log as it grows until the environment settles; return its final state. */
async function follow(client: EmkitClient, id: string, print: boolean): Promise<Environment | undefined> {
  let offset = 0;
  for (;;) {
    let environment: Environment;
    try {
      environment = await client.api.getEnvironment({ params: { id } });
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined; // deleted
      throw error;
    }
    const chunk = await client.api.getEnvironmentLog({ params: { id }, query: { offset } });
    if (print && chunk.text) process.stderr.write(chunk.text);
    offset = chunk.nextOffset;
    if (isSettled(environmentStates, environment.state) && chunk.nextOffset >= chunk.size) return environment;
    await new Promise((r) => setTimeout(r, 500));
  }
}

export function registerEnvironments(program: Command): void {
  const env = program.command('env').description('environments: conda, mamba, micromamba or venv, each a Jupyter kernel');

  env
    .command('create <name>')
    .description('create an environment (built in the background; --wait to watch)')
    .option('--manager <manager>', 'venv, conda, mamba or micromamba', 'venv')
    .option('--python <version>', "e.g. 3.11 (default: the bridge's python3)")
    .option('-p, --package <spec>', 'a package to install (repeatable)', collect, [])
    .option('-r, --requirements <file>', 'a requirements.txt to install')
    .option('--description <text>')
    .option('--wait', 'stream the creation log and wait until it is ACTIVE or CREATE FAILED')
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      const created = await client.api.createEnvironment({
        body: {
          name,
          manager: options.manager,
          ...(options.python ? { python: options.python } : {}),
          packages: options.package,
          ...(options.requirements ? { requirements: readFileSync(options.requirements, 'utf8') } : {}),
          ...(options.description ? { description: options.description } : {}),
        },
      });
      if (!options.wait) return printItem(globals, created);
      const final = (await follow(client, created.id, !globals.json)) ?? created;
      printItem(globals, final);
      if (final.state !== 'ACTIVE') process.exitCode = EXIT.endedInFailure;
    });

  env
    .command('list')
    .description('list environments')
    .action(async (_options, command: Command) => {
      const globals = command.optsWithGlobals();
      const { items } = await connect(globals).api.listEnvironments({ query: { limit: 1000 } });
      printList(globals, items, columns);
    });

  env
    .command('get <name>')
    .description('show one environment')
    .action(async (name: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      printItem(globals, await connect(globals).api.getEnvironment({ params: { id: name } }));
    });

  env
    .command('log <name>')
    .description('print the creation log')
    .option('-f, --follow', 'keep printing until creation ends')
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      if (options.follow) {
        await follow(client, name, true);
        return;
      }
      let offset = 0;
      for (;;) {
        const chunk = await client.api.getEnvironmentLog({ params: { id: name }, query: { offset } });
        process.stdout.write(chunk.text);
        if (chunk.nextOffset >= chunk.size || !chunk.text) break;
        offset = chunk.nextOffset;
      }
    });

  env
    .command('delete <name>')
    .description('delete an environment and its kernel')
    .option('--wait', 'wait until it is gone')
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      const deleting = await client.api.deleteEnvironment({ params: { id: name } });
      if (options.wait) {
        const left = await follow(client, deleting.id, false);
        if (left) {
          printItem(globals, left);
          process.exitCode = EXIT.endedInFailure;
          return;
        }
      }
      printMessage(globals, `environment ${name}: ${options.wait ? 'deleted' : 'DELETE IN PROGRESS'}`, deleting);
    });

  env
    .command('managers')
    .description('which managers and Python versions this machine offers')
    .action(async (_options, command: Command) => {
      const globals = command.optsWithGlobals();
      const result = await connect(globals).api.listEnvironmentManagers({});
      if (globals.json) return printMessage(globals, '', result);
      printList(globals, result.managers, [
        ['MANAGER', (m) => m.manager],
        ['AVAILABLE', (m) => (m.available ? 'yes' : 'no')],
        ['NOTE', (m) => m.note],
      ]);
      process.stdout.write(`\nPython for venv: ${result.pythons.join(', ') || 'none found'}\n`);
    });
}
