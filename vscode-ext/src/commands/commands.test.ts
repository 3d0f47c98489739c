import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';

// the extension host's module, as far as loading and registering the commands needs it
const registered: string[] = [];
vi.mock('vscode', () => ({
  l10n: { t: (text: string) => text },
  commands: {
    registerCommand: (id: string) => {
      registered.push(id);
      return { dispose() {} };
    },
  },
  window: {},
  workspace: {},
  Uri: class {},
  ProgressLocation: { Notification: 15 },
}));

const here = dirname(fileURLToPath(import.meta.url));
const manifest = JSON.parse(readFileSync(join(here, '..', '..', 'package.json'), 'utf8')) as {
  contributes: { commands: { command: string }[] };
};
const contributed = manifest.contributes.commands.map((c) => c.command).sort();
const modules = readdirSync(here).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));

describe('the command table', () => {
  it('is found at all: every command package.json contributes, 46 of them', () => {
    expect(contributed).toHaveLength(46);
    expect(modules).toContain('index.ts');
  });

  // an import cycle between the table and a resource's commands left commands out, silently,
  // when the resource's file was loaded first
  it.each(modules)('has every contributed command when %s is imported first', async (file) => {
    vi.resetModules();
    registered.length = 0;
    await import(`./${file}`);
    const { commands, registerCommands } = await import('./index.js');
    expect(Object.keys(commands).sort()).toEqual(contributed);
    registerCommands({} as never);
    expect(registered.sort()).toEqual(contributed);
  });
});
