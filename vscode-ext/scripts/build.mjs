// The extension as one CommonJS file (what VS Code's extension host loads), plus the
// webview script of its detail panels (dist/webview.js). The extension is built with
// @emkit/shared and ws inside it: no node_modules to ship, nothing for vsce to resolve.
// `--tests` also bundles the extension-host test modules (test-host/) for the e2e suite.

import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';

const here = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * esbuild's build, each file written whole under a temporary name and renamed over the old
 * one: a code-server loading dist/ while another build (`npm run package:vscode` in a test)
 * rewrites it sees the old file or the new one, never half of one.
 */
async function build(options) {
  const { outputFiles } = await esbuild({ ...options, write: false });
  for (const file of outputFiles) {
    mkdirSync(dirname(file.path), { recursive: true });
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
}
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // the host provides `vscode`; ws's optional native speed-ups are absent on purpose
  external: ['vscode', 'bufferutil', 'utf-8-validate'],
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: here,
};

await build({ ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', minify: true });
// the script of the detail panels' webviews: a page, so a browser bundle with the shared views in it
await build({
  bundle: true,
  platform: 'browser',
  target: 'es2022',
  format: 'iife',
  entryPoints: ['src/webview/main.ts'],
  outfile: 'dist/webview.js',
  minify: true,
  sourcemap: false,
  logLevel: 'warning',
  absWorkingDir: here,
});
if (process.argv.includes('--tests')) {
  await build({
    ...common,
    entryPoints: ['test-host/trees.ts', 'test-host/workflows.ts', 'test-host/installed.ts'],
    outdir: 'dist/test-host',
  });
}
