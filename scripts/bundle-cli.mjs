// Bundle the emkit CLI (and so the bridge) into one file: resolving and compiling
// hundreds of small modules was a third of the bridge's start-up time.
// better-sqlite3 stays outside: it loads a native addon from its own folder.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'server-bridge', 'dist');
const outfile = join(dist, 'emkit.mjs');
const common = {
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
};
await build({ ...common, entryPoints: [join(dist, 'cli', 'main.js')], outfile });
// the payload log's worker thread is its own entry: the bundle starts it from beside itself
// (new URL('./payload-log-worker.js', import.meta.url)), as dist/payloads/ does unbundled
await build({
  ...common,
  entryPoints: [join(dist, 'payloads', 'payload-log-worker.js')],
  outfile: join(dist, 'payload-log-worker.js'),
});
process.stdout.write(`${outfile}\n`);
