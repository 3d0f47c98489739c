// Bundle the emkit CLI (and so the bridge) into one file: resolving and compiling
// hundreds of small modules was a third of the bridge's start-up time.
// better-sqlite3 stays outside: it loads a native addon from its own folder.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const outfile = join(root, 'server-bridge', 'dist', 'emkit.mjs');
await build({
  entryPoints: [join(root, 'server-bridge', 'dist', 'cli', 'main.js')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3'],
  // CommonJS dependencies call require(); give the ESM bundle one
  banner: {
    js: "import { createRequire as __emkitRequire } from 'node:module'; const require = __emkitRequire(import.meta.url);",
  },
  sourcemap: true,
  logLevel: 'warning',
});
process.stdout.write(`${outfile}\n`);
