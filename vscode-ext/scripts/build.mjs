// The extension as one CommonJS file (what VS Code's extension host loads), with
// @emkit/shared and ws inside it: no node_modules to ship, nothing for vsce to resolve.
// `--tests` also bundles the extension-host test modules (test-host/) for the e2e suite.

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = join(dirname(fileURLToPath(import.meta.url)), '..');
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
if (process.argv.includes('--tests')) {
  await build({ ...common, entryPoints: ['test-host/trees.ts'], outdir: 'dist/test-host' });
}
