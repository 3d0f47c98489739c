#!/usr/bin/env node
// The `emkit` command npm links (npx emkit, a global install). It is committed, unlike the
// bundle it runs, so the link exists from the first `npm install` of a fresh clone, before
// any build: npm skips a bin whose file is missing and never links it again.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/emkit.mjs', import.meta.url));
if (!existsSync(bundle)) {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  process.stderr.write(`emkit: the CLI is not built yet (${bundle} is missing): run \`npm run build\` in ${root}\n`);
  // the usage/installation kind of failure, as for a bad argument
  process.exit(2);
}
await import(pathToFileURL(bundle).href);
