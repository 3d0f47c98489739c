import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EnvironmentService } from '../environments/service.js';
import { Store } from '../store/index.js';
import { EndpointService } from './service.js';

// The endpoint service in process, its workers a few lines of Node that speak the worker's
// protocol (READY on stdout, JSON over the Unix socket): the state machine, the routing
// and the presentation are under test here, not Python (see test/integration/endpoints*).

const FAKE_WORKER = `#!${process.execPath}
const net = require('node:net');
const argv = process.argv.slice(2);
const socket = argv[argv.indexOf('--socket') + 1];
if (process.env.FAKE_WORKER_FAILS) { console.error('no model here'); process.exit(1); }
net.createServer((c) => c.on('data', () => {
  const body = '{"predictions":[1]}';
  c.write('HTTP/1.1 200 OK\\r\\nContent-Length: ' + body.length + '\\r\\n\\r\\n' + body);
})).listen(socket, () => console.log('EMKIT_WORKER_READY ' + JSON.stringify({ socket, pid: process.pid })));
process.stdin.on('end', () => process.exit(0)).resume();
process.on('SIGTERM', () => process.exit(0));
`;

let root: string;
let store: Store;
let service: EndpointService;

function makeService(python: string): EndpointService {
  return new EndpointService(store, {
    python,
    emkitImportPath: root,
    logDir: join(root, 'logs'),
    socketDir: join(root, 'sock'),
    environments: {} as EnvironmentService, // no stage names one here
    log: pino({ level: 'silent' }),
    maxBodyBytes: 1024,
  });
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'emkit-endpoint-service-'));
  mkdirSync(join(root, 'sock'), { mode: 0o700 });
  store = new Store(join(root, 'emkit.db'));
  const python = join(root, 'fake-python');
  writeFileSync(python, FAKE_WORKER);
  chmodSync(python, 0o755);
  service = makeService(python);
  for (const name of ['blue', 'green']) {
    store.models.insert(
      {
        id: randomUUID(),
        name,
        description: '',
        framework: 'custom',
        frameworkVersion: null,
        artifactPath: root,
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
  }
});
afterEach(async () => {
  await service.shutdown();
  store.close();
  rmSync(root, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(probe: () => T | undefined | false): Promise<T> {
  for (let i = 0; i < 500; i += 1) {
    const value = probe();
    if (value) return value;
    await sleep(20);
  }
  throw new Error('timed out');
}

describe('EndpointService', () => {
  it('takes a stage through its states to ACTIVE, routes it, and switches the default', async () => {
    const created = await service.create({ name: 'shop', model: 'blue', stage: 'blue' });
    expect(created).toMatchObject({ name: 'shop', url: '/inference/shop', defaultStage: 'blue', hasApiKey: false });
    const active = await until(() => {
      const endpoint = service.find('shop');
      return endpoint.state === 'ACTIVE' && endpoint;
    });
    expect(active.stages[0]).toMatchObject({ name: 'blue', default: true, state: 'ACTIVE', url: '/inference/shop/blue' });
    expect(active.stages[0]?.instances[0]).toMatchObject({ state: 'READY', restarts: 0 });

    const route = service.route('shop');
    const answer = await route?.defaultStage?.pool.pick()?.client?.post('/predict', Buffer.from('{}'), '', 5_000);
    expect(answer?.status).toBe(200);

    // the stage states the guide names, in order, each with its event
    const states = store.events
      .since(0, 1000)
      .filter((e) => e.resource === 'endpoints')
      .map((e) => (e.data as { stages?: { state: string }[] } | null)?.stages?.[0]?.state);
    expect(states).toContain('CREATE IN PROGRESS');
    expect(states.indexOf('DEPLOY IN PROGRESS')).toBeGreaterThan(states.indexOf('CREATE IN PROGRESS'));
    expect(states.at(-1)).toBe('ACTIVE');

    await service.addStage('shop', { name: 'green', model: 'green' });
    await until(() => service.findStage('shop', 'green').state === 'ACTIVE');
    const switched = service.setDefault('shop', 'green');
    expect(switched.defaultStage).toBe('green');
    expect(service.route('shop')?.defaultStage?.name).toBe('green');
    const settled = await until(() => {
      const endpoint = service.find('shop');
      return endpoint.stages.length === 1 && endpoint;
    });
    expect(settled.stages.map((s) => s.name)).toEqual(['green']);
  });

  it('lists with the schema defaults, and gives a stage that cannot start CREATE or DEPLOY FAILED', async () => {
    const missing = makeService(join(root, 'no-such-python'));
    await missing.create({ name: 'nowhere', model: 'blue' });
    const failed = await until(() => {
      const endpoint = missing.find('nowhere');
      return endpoint.state.endsWith('FAILED') && endpoint;
    });
    expect(failed.stages[0]?.state).toBe('CREATE FAILED');
    expect(failed.stages[0]?.stateReason).toContain('no-such-python');

    process.env.FAKE_WORKER_FAILS = '1';
    try {
      await service.create({ name: 'broken', model: 'green' });
      const broken = await until(() => {
        const stage = service.findStage('broken', 'default');
        return stage.state.endsWith('FAILED') && stage;
      });
      expect(broken.state).toBe('DEPLOY FAILED');
      expect(broken.stateReason).toContain('no model here');
    } finally {
      delete process.env.FAKE_WORKER_FAILS;
    }

    const page = service.list(undefined);
    expect(page.total).toBe(2);
    expect(page.items.map((e) => e.name).sort()).toEqual(['broken', 'nowhere']);
    expect(service.list({ limit: 1, offset: 1 }).items).toHaveLength(1);
    expect(service.stats('broken', undefined)).toMatchObject({ minutes: [], inFlight: { default: 0 } });
    await missing.shutdown();
  });
});
