#!/usr/bin/env node
// Schedules benchmark (`npm run bench:schedules`). A measurement, not a test: it prints figures
// next to their aim and never fails on them.
//
// The firing delay: for each run a schedule starts on its own clock, the time its first resource (a
// training) was created minus the run's due time — the clock's timer, the overlap rule, the check of the
// targets and the training's submit (snapshot, spec, record) together. Over N firings of an interval
// (`every: 2s`) and of a seconds cron (`*/2 * * * * *`): median and max, against the aim of under 1 s.
// The clock's own part (run started − due) is printed beside it.
//
// Needs the built bridge (`npm run build`) and the project's .venv.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api as callApi, MAIN_JS, PYTHON, startBridge, stopBridge } from './bridge.mjs';

const FIRINGS = Number(process.env.FIRINGS ?? 10);
const AIM_MS = 1000;

for (const [path, what] of [
  [MAIN_JS, 'the built bridge: run `npm run build`'],
  [PYTHON, 'the project .venv: run `npm run setup`'],
]) {
  if (!existsSync(path)) {
    console.error(`missing ${path}: ${what}`);
    process.exit(1);
  }
}

const root = mkdtempSync(join(tmpdir(), 'emkit-bench-schedules-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => {
  const s = sorted(xs);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const ms = (x) => `${x.toFixed(0)} ms`;

const bridge = await startBridge(join(root, 'home'), [], { quiet: true });
// paths as the other calls write them, under /api/v1
const api = (method, path, body) => callApi(bridge, method, path.replace(/^\/api\/v1/, ''), body);

/** Let `name` fire until FIRINGS of its runs have made their training, then pause it; the delays. */
async function measure(name, timing, template) {
  await api('POST', '/api/v1/schedules', { name, ...timing, steps: [{ kind: 'training', training: template }] });
  let runs = [];
  for (;;) {
    runs = (await api('GET', `/api/v1/schedules/${name}/runs?limit=1000`)).items.filter((r) => r.steps[0].resource);
    if (runs.length >= FIRINGS) break;
    await sleep(250);
  }
  await api('POST', `/api/v1/schedules/${name}/pause`);
  const delays = [];
  const clock = [];
  for (const run of runs.slice(-FIRINGS)) {
    const training = await api('GET', `/api/v1/trainings/${run.steps[0].resource.id}`);
    delays.push(Date.parse(training.createdAt) - Date.parse(run.dueAt));
    clock.push(Date.parse(run.startedAt) - Date.parse(run.dueAt));
  }
  return { delays, clock, triggers: [...new Set(runs.map((r) => r.trigger))] };
}

try {
  const dir = join(root, 'template');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'train.py'), 'print("tick")\n');
  const template = await api('POST', '/api/v1/trainings', { name: 'tick', source: { path: join(dir, 'train.py') } });

  console.log(`schedules: the firing delay over ${FIRINGS} firings each (first resource created − due time)`);
  console.log('');
  console.log('  schedule                  median      max   clock median/max   aim');
  for (const [label, name, timing] of [
    ['every 2s', 'bench-every', { every: '2s' }],
    ['cron */2 * * * * *', 'bench-cron', { cron: '*/2 * * * * *', timezone: 'UTC' }],
  ]) {
    const { delays, clock, triggers } = await measure(name, timing, template.id);
    const max = Math.max(...delays);
    console.log(
      `  ${label.padEnd(22)} ${ms(median(delays)).padStart(9)} ${ms(max).padStart(8)}   ${`${ms(median(clock))} / ${ms(Math.max(...clock))}`.padStart(16)}   < ${AIM_MS} ms ${max < AIM_MS ? '(met)' : '(NOT met)'}${triggers.join() === 'due' ? '' : ` triggers: ${triggers}`}`,
    );
    console.log(`  ${''.padEnd(22)} each: ${delays.map((d) => d.toFixed(0)).join(', ')}`);
  }
} finally {
  await stopBridge(bridge);
  rmSync(root, { recursive: true, force: true });
}
