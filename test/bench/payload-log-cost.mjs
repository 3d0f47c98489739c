#!/usr/bin/env node
// The payload log's own CPU per logged call, in isolation (no HTTP, no model worker: on a shared
// machine what bench:monitoring's throughput shows is mostly the others' load). A measurement,
// not a test. `node test/bench/payload-log-cost.mjs [DIST] [CALLS] [log]`: CALLS (default 40,000)
// calls, each a fresh body of bench:monitoring's (20 features and a redacted field), offered at
// about 10,000 a second to the PayloadLogWriter of DIST (a built server-bridge/dist, default this
// checkout's: give an older build's to compare), then flushed; twice with logging on and twice
// off, taking turns. Prints the CPU per call of the main thread (the gateway's, from
// /proc/self/task/PID) and of all the process's threads (the log's own included), on minus off.
// `log`: the gateway's inference log written too, on the main thread's connection, as it is.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stagePayloadLogging } from '@emkit/shared';
import pino from 'pino';
import { repo } from './bridge.mjs';

const dist = resolve(process.argv[2] ?? join(repo, 'server-bridge', 'dist'));
const N = Number(process.argv[3] ?? 40000);
const { Store } = await import(join(dist, 'store/index.js'));
const { PayloadLogWriter } = await import(join(dist, 'payloads/payload-log.js'));
const dir = mkdtempSync(join(tmpdir(), 'emkit-cost-'));
const store = new Store(join(dir, 'emkit.db'));
const model = store.models.insert(
  {
    id: 'm1',
    name: 'm',
    description: '',
    framework: 'custom',
    frameworkVersion: null,
    artifactPath: dir,
    files: 1,
    bytes: 1,
    tags: {},
    hyperparameters: {},
    metrics: {},
    trainingId: null,
    sourcePath: null,
  },
  [],
);
const endpoint = store.endpoints.insert({ name: 'ep', description: '', apiKeyHash: null, tags: {} });
const stage = store.endpoints.insertStage(endpoint.id, {
  name: 'default',
  description: '',
  instanceCount: 1,
  resourcePath: '/',
  python: 'python3',
  modelId: model.id,
  clusterId: null,
  autoscaling: null,
  payloadLogging: { enabled: true },
});
const CLK = 100; // USER_HZ: 100 on Linux
const cpu = (task) => {
  const f = readFileSync(task ? `/proc/self/task/${process.pid}/stat` : '/proc/self/stat', 'utf8');
  const x = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return ((+x[11] + +x[12]) * 1000) / CLK;
};
const INSTANCE = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}`, Math.round(i * 37.7) / 10]));
INSTANCE.customer_id = 'c-12345';
const writer = new PayloadLogWriter(store, pino({ enabled: false }));
// the gateway's own SQLite writes, on the main thread's connection: two inference log entries a call
const withLog = process.argv[4] === 'log';
const { InferenceLogWriter } = await import(join(dist, 'endpoints/inference-log.js'));
const logs = new InferenceLogWriter(store, pino({ enabled: false }));
const entry = (id, action) => ({
  endpointId: endpoint.id,
  endpointStageId: stage.id,
  stage: 'default',
  inferenceId: id,
  action,
  modelName: 'm',
  logLevel: 'INFO',
  body: 'POST /inference/ep (500 bytes)',
  status: null,
  latencyMs: null,
  time: new Date().toISOString(),
});
const on = stagePayloadLogging({ enabled: true, sampleRate: 1, redact: ['customer_id'] });
const off = stagePayloadLogging(null);
async function run(settings) {
  const t0 = cpu(true),
    p0 = cpu(false);
  for (let i = 0; i < N; i += 50) {
    for (let k = 0; k < 50; k++) {
      // a fresh body per call, as the gateway's requests are
      const request = Buffer.from(JSON.stringify({ instances: [INSTANCE] }));
      const answer = Buffer.from('{"predictions":[1]}');
      const id = `01937c2a-0000-7000-8000-${String(i + k).padStart(12, '0')}`;
      if (withLog) {
        logs.push(entry(id, 'Inference.Request'));
        logs.push(entry(id, 'Inference.Response'));
      }
      writer.offer(settings, {
        endpointId: endpoint.id,
        stageId: stage.id,
        inferenceId: `01937c2a-0000-7000-8000-${String(i + k).padStart(12, '0')}`,
        time: new Date().toISOString(),
        status: 200,
        request,
        answer,
      });
    }
    await new Promise((r) => setTimeout(r, 5)); // ~10,000 calls/s
  }
  await writer.flush();
  logs.flush();
  return [cpu(true) - t0, cpu(false) - p0];
}
await run(on); // warm: the thread started, code compiled
const results = [];
for (const s of [off, on, off, on]) results.push(await run(s));
const mainOn = (results[1][0] + results[3][0]) / 2,
  mainOff = (results[0][0] + results[2][0]) / 2;
const allOn = (results[1][1] + results[3][1]) / 2,
  allOff = (results[0][1] + results[2][1]) / 2;
console.log(
  `${dist}${withLog ? ' (with the inference log)' : ''}: per logged call: gateway thread ${(((mainOn - mainOff) * 1000) / N).toFixed(1)} µs, all threads ${(((allOn - allOff) * 1000) / N).toFixed(1)} µs`,
);
await writer.close();
store.close();
rmSync(dir, { recursive: true, force: true });
