#!/usr/bin/env node
// Monitoring benchmark (`npm run bench:monitoring`). A measurement, not a test: it prints figures
// next to their aims, measured side by side in one run, and fails only on errors (a bridge that
// doesn't start, an answer that isn't 200 with the model's prediction, a payload not logged).
//
// One bridge, one model (a custom predict.py that answers at once, so the gateway's own cost
// is what differs), two endpoints on it:
//   - "plain":   monitoring off (payload logging off: the default)
//   - "watched": payload logging on at 100 % sampling, with a field redacted, and a memory limit
//   - "control": as "plain": off against off, the bench's own noise on this machine, side by side
//     (on 2 shared cores two identical endpoints differ by several % from run to run)
// Whatever the bridge does for every stage (resource sampling) costs all alike. They take turns
// in ROUNDS short rounds, so that a slow spell of the machine falls on each; each round measures
// sequential requests on one keep-alive connection (p50 / p99) and CONNECTIONS closed loops
// (throughput), with the bridge's CPU time per request from /proc (the figure that decides
// throughput when the load generator, the bridge and the workers share a few cores), and that
// of its main thread alone (the gateway's; payload logging's parsing and writing run on another).
//
//   (a) throughput with monitoring on / off (aim: under 5 % lower): over all rounds, and the median
//       of each round's ratio (a slow spell within one round moves it less); beside it, the same
//       for control / off. After each endpoint's load the payload log is read, which waits for
//       it to write all it holds: that wait counts in the round's time, and its CPU in the
//       round's, so logging that lags the load is charged to the endpoint it logged
//   (b) p50 with monitoring on − off (aim: under +0.05 ms)
//
// The body is one instance of 20 named features (what a drift window reads). At the end the
// payload log is checked: every request of "watched" is there, redacted, none of "plain".
// (drift18: the drift-window figure goes in its own section after `gateway()`, or in bench:drift.)
//
// Needs the built bridge (`npm run build`) and the project's .venv (`npm run setup`).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { api, MAIN_JS, PYTHON, startBridge, stopBridge } from './bridge.mjs';

// many short rounds rather than a few long ones: on a shared machine the load others make comes
// and goes within seconds, and both sides must see the same of it
const ROUNDS = 30;
const SEQ_WARMUP = 20; // per round
const SEQ_SAMPLES = 300; // per round: 6,000 in all
const CONNECTIONS = 8;
const LOAD_MS = 600; // per round: 12 s in all
const LOAD_WARMUP_MS = 100; // per round, before counting

const AIM_THROUGHPUT_LOSS = 0.05;
const AIM_P50_MS = 0.05;

const INSTANCE = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}`, Math.round(i * 37.7) / 10]));
INSTANCE.customer_id = 'c-12345';
const BODY = Buffer.from(JSON.stringify({ instances: [INSTANCE] }));
const EXPECTED = 1;

const root = mkdtempSync(join(tmpdir(), 'emkit-bench-monitoring-'));

// ---------------------------------------------------------------------------------------------
// helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sorted = (xs) => Float64Array.from(xs).sort();
/** nearest-rank percentile of an ascending array */
const pct = (s, p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
const ms = (x) => `${x.toFixed(3)} ms`;
const rate = (x) => `${Math.round(x).toLocaleString('en')}/s`;
const pad = (text, n) => String(text).padEnd(n);

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** user + system CPU ms of a process so far, or of one of its threads (0 once it's gone) */
function cpuMs(pid, thread) {
  try {
    const text = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return 0;
  }
}

function writeModel(dir) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'predict.py'),
    [
      'def load():',
      '    return None',
      '',
      'def predict(model, instances):',
      `    return [${EXPECTED} for _ in instances]`,
      '',
    ].join('\n'),
  );
  return dir;
}

async function untilActive(bridge, name) {
  for (let waited = 0; waited < 120_000; waited += 200) {
    const endpoint = await api(bridge, 'GET', `/endpoints/${name}`);
    if (endpoint.state === 'ACTIVE') return endpoint;
    if (endpoint.state.endsWith('FAILED')) throw new Error(`endpoint ${name}: ${endpoint.state} ${endpoint.stateReason}`);
    await sleep(200);
  }
  throw new Error(`endpoint ${name} wasn't ACTIVE within 120 s`);
}

// ---------------------------------------------------------------------------------------------
// load

/** One POST; rejects on anything but 200 with the model's prediction. */
function post(target, agent) {
  return new Promise((resolvePost, reject) => {
    const req = request(
      {
        agent,
        host: target.host,
        port: target.port,
        method: 'POST',
        path: target.path,
        headers: { ...target.headers, 'content-type': 'application/json', 'content-length': BODY.length },
      },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let prediction;
          try {
            prediction = JSON.parse(text).predictions?.[0];
          } catch {
            // said below
          }
          if (response.statusCode !== 200 || prediction !== EXPECTED) {
            reject(new Error(`${target.label}: POST ${target.path} answered ${response.statusCode} ${text.slice(0, 300)}`));
          } else {
            target.sent += 1;
            resolvePost();
          }
        });
      },
    );
    req.on('error', (error) => reject(new Error(`${target.label}: POST ${target.path}: ${error.message}`)));
    req.end(BODY);
  });
}

async function sequential(target) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < SEQ_WARMUP; i++) await post(target, agent);
    for (let i = 0; i < SEQ_SAMPLES; i++) {
      const t = performance.now();
      await post(target, agent);
      target.seq.push(performance.now() - t);
    }
  } finally {
    agent.destroy();
  }
  // what logging these left to do is done now, not in the next one's turn
  await target.drain();
}

async function concurrent(target) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const bridgeBefore = cpuMs(target.bridgePid);
  // the gateway's own thread (its id is the process's): what payload logging's worker thread takes off it
  const gatewayBefore = cpuMs(target.bridgePid, target.bridgePid);
  const start = performance.now();
  const from = start + LOAD_WARMUP_MS;
  const until = from + LOAD_MS;
  let done = 0;
  let all = 0;
  const loop = async () => {
    for (;;) {
      const t = performance.now();
      if (t >= until) return;
      await post(target, agent);
      all++;
      const end = performance.now();
      if (t >= from && end <= until) target.load.push(end - t);
      if (end > from && end <= until) done++;
    }
  };
  try {
    await Promise.all(Array.from({ length: CONNECTIONS }, loop));
  } finally {
    agent.destroy();
  }
  // The payload log writes in batches, up to 200 ms late, and yields to the gateway: what it
  // hasn't written when the load stops is written now and its time counted in this round's, as
  // if the load had waited on it (the most it could cost a sustained load), so that it neither
  // flatters this round nor falls on the next one's. The same for every endpoint, alike.
  const drainStart = performance.now();
  await target.drain();
  const drainMs = performance.now() - drainStart;
  target.bridgeCpuMs += cpuMs(target.bridgePid) - bridgeBefore;
  target.gatewayCpuMs += cpuMs(target.bridgePid, target.bridgePid) - gatewayBefore;
  target.requests += all;
  target.done += done;
  target.loadMs += LOAD_MS + drainMs;
  target.drainMs += drainMs;
  target.rounds.push(done / ((LOAD_MS + drainMs) / 1000));
}

/** The median over the rounds of `a`'s throughput / `b`'s in the same round. */
function medianRatio(a, b) {
  return pct(sorted(a.rounds.map((x, i) => x / b.rounds[i])), 50);
}

function summarize(target) {
  const seq = sorted(target.seq);
  const load = sorted(target.load);
  return {
    p50: pct(seq, 50),
    p99: pct(seq, 99),
    loadP99: pct(load, 99),
    rps: target.done / (target.loadMs / 1000),
    bridgeUs: (target.bridgeCpuMs * 1000) / target.requests,
    gatewayUs: (target.gatewayCpuMs * 1000) / target.requests,
  };
}

// ---------------------------------------------------------------------------------------------

async function gateway(bridge) {
  const model = writeModel(join(root, 'model'));
  await api(bridge, 'POST', '/models', { name: 'bench', artifactPath: model, framework: 'custom' });
  await api(bridge, 'POST', '/endpoints', { name: 'plain', model: 'bench' });
  await api(bridge, 'POST', '/endpoints', { name: 'watched', model: 'bench' });
  await api(bridge, 'POST', '/endpoints', { name: 'control', model: 'bench' });
  await Promise.all([untilActive(bridge, 'plain'), untilActive(bridge, 'watched'), untilActive(bridge, 'control')]);
  await api(bridge, 'PATCH', '/endpoints/watched/stages/default', {
    memoryLimitMb: 4096,
    payloadLogging: { enabled: true, sampleRate: 1, redact: ['customer_id'] },
  });

  const { port, hostname } = new URL(bridge.url);
  const auth = { authorization: `Bearer ${bridge.token}` };
  const target = (label, name) => ({
    label,
    host: hostname,
    port: Number(port),
    path: `/inference/${name}`,
    headers: auth,
    bridgePid: bridge.child.pid,
    sent: 0,
    seq: [],
    load: [],
    done: 0,
    loadMs: 0,
    bridgeCpuMs: 0,
    gatewayCpuMs: 0,
    requests: 0,
    rounds: [],
    drainMs: 0,
    // a read of the payload log writes all that waits first (every stage's)
    drain: () => api(bridge, 'GET', `/endpoints/${name}/payloads?limit=1`),
  });
  const off = target('monitoring off', 'plain');
  const on = target('monitoring on, payloads 100 %', 'watched');
  const control = target('control: off again', 'control');
  const all = [off, on, control];
  for (let round = 0; round < ROUNDS; round++) {
    // which goes first turns: none always gets the warmer machine
    const order = all.map((_, i) => all[(i + round) % all.length]);
    for (const t of order) await sequential(t);
    for (const t of order) await concurrent(t);
    if ((round + 1) % 5 === 0) process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
  }
  return { off, on, control };
}

/** Every "watched" request logged and redacted, none of "plain": the figures measured what they say. */
async function checkLog(bridge, on) {
  // the route writes what waits first; then the table is counted as it is (read-only; the payload
  // log is a file of its own beside the store's)
  await api(bridge, 'GET', '/endpoints/watched/payloads?limit=1');
  const count = spawnSync(
    PYTHON,
    [
      '-c',
      `import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
db.execute("ATTACH DATABASE ? AS payloads", ("file:" + sys.argv[2] + "?mode=ro",))
n, leaked = db.execute("SELECT count(*), sum(instances LIKE '%c-12345%') FROM inference_payloads p JOIN endpoints e ON e.id = p.endpoint_id WHERE e.name = 'watched'").fetchone()
plain = db.execute("SELECT count(*) FROM inference_payloads p JOIN endpoints e ON e.id = p.endpoint_id WHERE e.name = 'plain'").fetchone()[0]
print(n, leaked or 0, plain)`,
      join(bridge.home, 'emkit.db'),
      join(bridge.home, 'emkit-payloads.db'),
    ],
    { encoding: 'utf8' },
  );
  const [logged, leaked, plain] = count.stdout.trim().split(' ').map(Number);
  if (count.status !== 0 || logged === undefined) throw new Error(`counting the payload log failed: ${count.stderr}`);
  if (leaked > 0) throw new Error(`${leaked} logged payloads hold the redacted field`);
  if (plain !== 0) throw new Error('the endpoint with payload logging off has logged payloads');
  // retention keeps the newest 100,000: a longer run may have pruned some
  if (logged < Math.min(on.sent, 100_000)) throw new Error(`${on.sent} requests of "watched", ${logged} logged`);
  return logged;
}

async function main() {
  for (const [path, what] of [
    [MAIN_JS, 'the built bridge: run `npm run build`'],
    [PYTHON, 'the project .venv: run `npm run setup`'],
  ]) {
    if (!existsSync(path)) throw new Error(`missing ${path}: ${what}`);
  }
  console.log(`emkit monitoring benchmark — node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`);
  console.log(`body: 1 instance of 20 features + a redacted field (${BODY.length} bytes); ${ROUNDS} rounds, taking turns`);
  const bridge = await startBridge(join(root, 'home'), [], { quiet: true });
  try {
    const { off, on, control } = await gateway(bridge);
    const logged = await checkLog(bridge, on);
    const a = summarize(off);
    const b = summarize(on);
    const c = summarize(control);
    console.log('');
    console.log(
      `${pad('gateway', 34)}${pad('p50', 12)}${pad('p99', 12)}${pad(`p99 ×${CONNECTIONS}`, 12)}${pad('throughput', 12)}${pad('CPU/request: bridge', 21)}its main thread`,
    );
    for (const [t, s] of [
      [off, a],
      [on, b],
      [control, c],
    ]) {
      console.log(
        `${pad(t.label, 34)}${pad(ms(s.p50), 12)}${pad(ms(s.p99), 12)}${pad(ms(s.loadP99), 12)}${pad(rate(s.rps), 12)}${pad(`${Math.round(s.bridgeUs)} µs`, 21)}${Math.round(s.gatewayUs)} µs`,
      );
    }
    const loss = 1 - b.rps / a.rps;
    const p50 = b.p50 - a.p50;
    console.log('');
    const signed = (x, text) => `${x >= 0 ? '+' : '−'}${text(Math.abs(x))}`;
    const percent = (x) => `${signed(x * 100, (v) => v.toFixed(1))} %`;
    const perRound = medianRatio(on, off) - 1;
    console.log(
      `(a) throughput, on vs off: ${percent(-loss)} (aim: under 5 % lower) ${loss < AIM_THROUGHPUT_LOSS ? 'MET' : 'NOT MET'}; median of the ${ROUNDS} rounds' ratios ${percent(perRound)} ${-perRound < AIM_THROUGHPUT_LOSS ? 'MET' : 'NOT MET'}`,
    );
    console.log(
      `    the bench's noise, control vs off (both off): ${percent(c.rps / a.rps - 1)}; median of the rounds' ratios ${percent(medianRatio(control, off) - 1)}`,
    );
    console.log(`(b) p50, on − off: ${signed(p50, ms)} (aim < +${AIM_P50_MS} ms) ${p50 < AIM_P50_MS ? 'MET' : 'NOT MET'}`);
    const us = (x) => `${Math.round(x)} µs`;
    console.log(
      `    CPU per request, on − off: bridge ${signed(b.bridgeUs - a.bridgeUs, us)}, its main (gateway) thread ${signed(b.gatewayUs - a.gatewayUs, us)}`,
    );
    const drain = (t) => ms(t.drainMs / ROUNDS);
    console.log(
      `    each load round's wait for the payload log to catch up, counted in its time: on ${drain(on)}, off ${drain(off)}, control ${drain(control)}`,
    );
    console.log(
      `payload log: ${logged.toLocaleString('en')} rows for ${on.sent.toLocaleString('en')} "watched" requests, redacted`,
    );
  } catch (error) {
    console.error(bridge.log());
    throw error;
  } finally {
    await stopBridge(bridge);
  }
}

main()
  .catch((error) => {
    console.error(error.stack ?? error);
    process.exitCode = 1;
  })
  .finally(() => rmSync(root, { recursive: true, force: true }));
