import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { settledTraining, writeTree } from '../support/trainings.js';

const TOKEN = 'spawned-env-test-token-0123456789abcdef';
let bridge: TestBridge;
let work: string;

beforeAll(async () => {
  const home = tempDir();
  mkdirSync(home, { recursive: true, mode: 0o700 });
  writeFileSync(join(home, 'token'), `${TOKEN}\n`, { mode: 0o600 });
  work = tempDir('emkit-env-');
  // a bridge started from a shell that has the token at hand, as a user's often does
  bridge = await startBridge({
    home,
    env: { EMKIT_TOKEN: TOKEN, EMKIT_URL: 'http://127.0.0.1:1', MY_BRIDGE: `http://127.0.0.1:1/?token=${TOKEN}`, KEPT: 'yes' },
  });
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

describe('processes the bridge starts', () => {
  it("don't inherit its token: a training that prints its environment shows none", async () => {
    expect(bridge.token).toBe(TOKEN);
    const source = writeTree(join(work, 'env'), {
      'show.py': 'import json, os\nprint("ENV=" + json.dumps(dict(os.environ)))\n',
    });
    const training = await bridge.client.api.createTraining({ body: { source: { path: join(source, 'show.py') } } });
    expect((await settledTraining(bridge.client, training.id)).state).toBe('COMPLETE');
    const log = await bridge.client.api.getTrainingLog({ params: { id: training.id }, query: {} });
    const line = log.text.split('\n').find((l) => l.startsWith('ENV='));
    expect(line).toBeDefined();
    const env = JSON.parse((line as string).slice(4)) as Record<string, string>;
    expect(env.KEPT).toBe('yes');
    expect(env.EMKIT_TOKEN).toBeUndefined();
    expect(env.EMKIT_URL).toBeUndefined();
    expect(env.MY_BRIDGE).toBeUndefined();
    expect(log.text).not.toContain(TOKEN);
  });
});
