import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emkitCli, removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { activeEndpoint, infer } from '../support/endpoints.js';
import { venvPython, writeTree } from '../support/trainings.js';

// `emkit endpoint payloads|feedback|quality` against a real bridge and worker.

let bridge: TestBridge;
let work: string;

beforeAll(async () => {
  bridge = await startBridge({ args: ['--python', venvPython] });
  work = tempDir('emkit-payloads-cli-');
  const model = writeTree(join(work, 'echo'), {
    'predict.py': 'def load():\n    return None\n\ndef predict(model, instances):\n    return [x["x"] for x in instances]\n',
  });
  await bridge.client.api.createModel({ body: { name: 'echo', artifactPath: model, framework: 'custom' } });
  await bridge.client.api.createEndpoint({ body: { name: 'cli-logged', model: 'echo' } });
  await activeEndpoint(bridge.client, 'cli-logged');
  await bridge.client.api.updateEndpointStage({
    params: { id: 'cli-logged', stage: 'default' },
    body: { payloadLogging: { enabled: true, redact: ['pin'] } },
  });
}, 180_000);
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

describe('emkit endpoint payloads, feedback, quality', () => {
  it('lists logged requests, takes one label or a JSON Lines file of them, shows the rolling accuracy', async () => {
    const ids: string[] = [];
    for (const x of ['cat', 'dog', 'cat']) {
      ids.push((await infer(bridge, '/inference/cli-logged', { instances: [{ x, pin: '0000' }] })).inferenceId as string);
    }
    const listed = await emkitCli(bridge, 'endpoint', 'payloads', 'cli-logged');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^SEQ\s+TIME\s+STAGE\s+INFERENCE ID\s+STATUS\s+INSTANCES\s+PREDICTIONS/);
    expect(listed.stdout).toContain(ids[1]);
    expect(listed.stdout).toContain('[{"x":"dog","pin":"[redacted]"}]');
    expect(listed.stdout).not.toContain('0000');
    const one = await emkitCli(bridge, '--json', 'endpoint', 'payloads', 'cli-logged', '--inference-id', ids[0] as string);
    expect(JSON.parse(one.stdout)).toMatchObject([{ inferenceId: ids[0], predictions: ['cat'] }]);

    const single = await emkitCli(
      bridge,
      'endpoint',
      'feedback',
      'cli-logged',
      '--inference-id',
      ids[0] as string,
      '--label',
      'cat',
    );
    expect(single.code, single.stderr).toBe(0);
    expect(single.stdout).toBe('endpoint cli-logged: 1 label(s) kept\n');
    const file = join(work, 'labels.jsonl');
    writeFileSync(
      file,
      `${JSON.stringify({ inferenceId: ids[1], label: 'cat' })}\n\n${JSON.stringify({ inferenceId: ids[2], label: 'cat' })}\n`,
    );
    const many = await emkitCli(bridge, 'endpoint', 'feedback', 'cli-logged', '--file', file);
    expect(many.stdout).toBe('endpoint cli-logged: 2 label(s) kept\n');

    const quality = await emkitCli(bridge, 'endpoint', 'quality', 'cli-logged', '--window', '1d');
    expect(quality.code, quality.stderr).toBe(0);
    expect(quality.stdout).toContain('task: classification');
    expect(quality.stdout).toContain('baseline: none');
    expect(quality.stdout).toMatch(/default\s+3\s+0\.6667\s+/);
  }, 60_000);

  it('an unknown id exits 4 naming it; usage errors exit 2', async () => {
    const unknown = await emkitCli(bridge, 'endpoint', 'feedback', 'cli-logged', '--inference-id', 'nope', '--label', '1');
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain('"nope"');
    const neither = await emkitCli(bridge, 'endpoint', 'feedback', 'cli-logged');
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('give --inference-id and --label, or --file');
    const badFile = join(work, 'bad.jsonl');
    writeFileSync(badFile, '{"label": 1}\n');
    const bad = await emkitCli(bridge, 'endpoint', 'feedback', 'cli-logged', '--file', badFile);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('line 1');
    const window = await emkitCli(bridge, 'endpoint', 'quality', 'cli-logged', '--window', '5 minutes');
    expect(window.code).toBe(2);
    expect(window.stderr).toContain('not a window');
  });
});
