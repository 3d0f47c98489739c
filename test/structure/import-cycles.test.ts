import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/bridge.js';

/**
 * No import cycles in the front ends and the shared client. A cycle makes what a module sees
 * depend on which file was loaded first: VS Code's command table once lost 14 of its 18
 * commands, with no error, that way. TypeScript reads the imports; `import type` and
 * `export type … from` are left out, since they are gone at run time.
 */
const ROOTS = ['shared/src', 'jupyterlab-ext/src', 'vscode-ext/src', 'vscode-ext/test-host'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The project files a file imports at run time (relative specifiers; packages are other graphs). */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const targets: string[] = [];
  for (const statement of source.statements) {
    let specifier: ts.Expression | undefined;
    if (ts.isImportDeclaration(statement) && !statement.importClause?.isTypeOnly) specifier = statement.moduleSpecifier;
    if (ts.isExportDeclaration(statement) && !statement.isTypeOnly) specifier = statement.moduleSpecifier;
    if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) continue;
    const base = resolve(dirname(file), specifier.text).replace(/\.js$/, '');
    const found = ['.ts', '.tsx', '/index.ts'].map((ext) => base + ext).find((path) => existsSync(path));
    if (found) targets.push(found);
  }
  return targets;
}

/** Every cycle found by a depth-first walk, each as the files around it. */
function cycles(files: string[]): string[][] {
  const graph = new Map(files.map((file) => [file, runtimeImports(file)]));
  const found: string[][] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (file: string) => {
    const at = path.indexOf(file);
    if (at >= 0) {
      found.push([...path.slice(at), file].map((f) => relative(repoRoot, f)));
      return;
    }
    if (done.has(file)) return;
    path.push(file);
    for (const next of graph.get(file) ?? runtimeImports(file)) visit(next);
    path.pop();
    done.add(file);
  };
  for (const file of files) visit(file);
  return found;
}

describe('the import graph', () => {
  const files = ROOTS.flatMap((root) => sources(join(repoRoot, root)));

  it('is read at all: the files and their imports are found', () => {
    expect(files.length).toBeGreaterThan(80);
    const table = files.find((file) => file.endsWith(join('vscode-ext', 'src', 'commands', 'index.ts'))) as string;
    expect(runtimeImports(table).map((f) => relative(repoRoot, f))).toContain('vscode-ext/src/commands/trainings.ts');
  });

  it('finds a cycle when there is one', () => {
    const made = cycles([join(repoRoot, 'test/structure/fixtures/cycle/a.ts')]);
    expect(made).toEqual([
      ['test/structure/fixtures/cycle/a.ts', 'test/structure/fixtures/cycle/b.ts', 'test/structure/fixtures/cycle/a.ts'],
    ]);
  });

  it.each(ROOTS)('has no cycle in %s', (root) => {
    expect(cycles(sources(join(repoRoot, root)))).toEqual([]);
  });
});
