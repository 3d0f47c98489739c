import { chmodSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Endpoint, type EndpointStage, EventStream, type ResourceEvent } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import { activeEndpoint, activeStage, infer, writeCustomModel } from '../support/endpoints.js';
import { refusal } from '../support/refusal.js';
import { alive, venvPython, writeTree } from '../support/trainings.js';

// The stage lifecycle beside create and delete, with real workers: a failed stage deployed
// again in place once what broke it is fixed, and a stage deactivated (workers stopped after
// the requests in flight, routes 503 with the reason) and activated, across a restart too.

let bridge: TestBridge;
let work: string;
/** the bridge's --python: a wrapper of the .venv's, which a test takes away and puts back */
let python: string;
/** on the workers' PYTHONPATH (the bridge's own): where a test "installs" a missing module */
let site: string;

const bridgeArgs = () => ['--python', python];
const bridgeEnv = () => ({ PYTHONPATH: site });

beforeAll(async () => {
  work = tempDir('emkit-stage-lifecycle-');
  site = join(work, 'site');
  python = join(work, 'bin', 'python');
  writeTree(join(work, 'bin'), { python: `#!/bin/sh\nexec ${JSON.stringify(venvPython)} "$@"\n` });
  chmodSync(python, 0o755);
  writeTree(site, { 'README.txt': 'modules a test installs\n' });
  bridge = await startBridge({ args: bridgeArgs(), env: bridgeEnv() });
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

const api = () => bridge.client.api;
const stageOf = (id: string, stage: string) => api().getEndpointStage({ params: { id, stage } });

function settledStage(id: string, stage: string, state: EndpointStage['state']): Promise<EndpointStage> {
  return waitFor(
    async () => {
      const found = await stageOf(id, stage);
      return found.state === state && found;
    },
    90_000,
    `stage ${id}/${stage} to be ${state}`,
  );
}

describe('stage lifecycle', () => {
  it('deploys a DEPLOY FAILED stage again in place once its model loads, and the endpoint is ACTIVE', async () => {
    // a custom model that needs a module its environment lacks: it can't load
    const model = writeTree(join(work, 'needs-helper'), {
      'predict.py': [
        'import lifecycle_helper',
        '',
        'def load():',
        '    return lifecycle_helper.LABEL',
        '',
        'def predict(model, instances):',
        '    return [[model, sum(x)] for x in instances]',
        '',
      ].join('\n'),
    });
    await api().createModel({ body: { name: 'needs-helper', artifactPath: model } });
    await api().createEndpoint({ body: { name: 'mend', model: 'needs-helper' } });
    const failed = await settledStage('mend', 'default', 'DEPLOY FAILED');
    expect(failed.stateReason).toMatch(/ModuleNotFoundError: No module named 'lifecycle_helper'/);
    expect((await api().getEndpoint({ params: { id: 'mend' } })).state).toBe('CREATE FAILED');
    expect((await infer(bridge, '/inference/mend', { instances: [[1]] })).status).toBe(503);

    // fixed: the module installed where the workers' Python finds it
    writeFileSync(join(site, 'lifecycle_helper.py'), 'LABEL = "mended"\n');
    const again = await api().deployEndpointStage({ params: { id: 'mend', stage: 'default' } });
    expect(again.state).toBe('DEPLOY IN PROGRESS');
    // once under way, a second one is refused: it isn't failed
    const twice = await refusal(api().deployEndpointStage({ params: { id: 'mend', stage: 'default' } }));
    expect(twice.status).toBe(409);
    const endpoint = await activeEndpoint(bridge.client, 'mend');
    expect(endpoint.stages[0]).toMatchObject({ state: 'ACTIVE', stateReason: null });
    expect(endpoint.stateReason).toBeNull();
    const answer = await infer(bridge, '/inference/mend', { instances: [[1, 2]] });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.predictions).toEqual([['mended', 3]]);

    // an ACTIVE stage isn't deployed again in place
    const active = await refusal(api().deployEndpointStage({ params: { id: 'mend', stage: 'default' } }));
    expect(active.status).toBe(409);
    expect(active.message).toMatch(/only a CREATE FAILED or DEPLOY FAILED stage/);
    expect((await refusal(api().deployEndpointStage({ params: { id: 'mend', stage: 'nope' } }))).status).toBe(404);
    await api().deleteEndpoint({ params: { id: 'mend' } });
  });

  it('deploys a CREATE FAILED stage again once its Python is back', async () => {
    await api().createModel({ body: { name: 'plain', artifactPath: writeCustomModel(join(work, 'plain'), 'p') } });
    await api().createEndpoint({ body: { name: 'host', model: 'plain' } });
    await activeEndpoint(bridge.client, 'host');
    // the interpreter goes away (an environment being rebuilt): a new stage can't even start
    renameSync(python, `${python}.away`);
    try {
      await api().createEndpointStage({ params: { id: 'host' }, body: { name: 'late', model: 'plain' } });
      const failed = await settledStage('host', 'late', 'CREATE FAILED');
      expect(failed.stateReason).toMatch(/cannot start/);
    } finally {
      renameSync(`${python}.away`, python);
    }
    const again = await api().deployEndpointStage({ params: { id: 'host', stage: 'late' } });
    expect(again.state).toBe('CREATE IN PROGRESS');
    await activeStage(bridge.client, 'host', 'late');
    expect((await infer(bridge, '/inference/host/late', { instances: [[4]] })).body.predictions).toEqual([['p', 4]]);
    expect((await api().getEndpoint({ params: { id: 'host' } })).state).toBe('ACTIVE');
    await api().deleteEndpointStage({ params: { id: 'host', stage: 'late' } });
    await api().deleteEndpoint({ params: { id: 'host' } });
  });

  it('deactivates a stage after its requests in flight, answers 503 with the reason, keeps it across a restart, activates it', async () => {
    await api().createModel({ body: { name: 'slow', artifactPath: writeCustomModel(join(work, 'slow'), 'b', 1500) } });
    await api().createModel({ body: { name: 'quick', artifactPath: writeCustomModel(join(work, 'quick'), 'g') } });
    await api().createEndpoint({ body: { name: 'toggle', model: 'slow', stage: 'blue', memoryLimitMb: 300 } });
    await api().createEndpointStage({ params: { id: 'toggle' }, body: { name: 'green', model: 'quick' } });
    const ready = await activeEndpoint(bridge.client, 'toggle');
    const pid = ready.stages.find((s) => s.name === 'blue')?.instances[0]?.pid as number;
    expect(alive(pid)).toBe(true);

    const events: ResourceEvent[] = [];
    const up: boolean[] = [];
    const stream = new EventStream(
      bridge.client,
      { event: (e) => events.push(e), connection: (c) => up.push(c) },
      { WebSocket: WebSocket as never },
    );
    await waitFor(async () => up.includes(true), 10_000, 'the event stream');

    // a request in flight when the deactivation comes is answered
    const inFlight = infer(bridge, '/inference/toggle', { instances: [[1, 1]] });
    await waitFor(async () => (await stageOf('toggle', 'blue')).instances[0]?.inFlight === 1, 10_000, 'the request in flight');
    const deactivated = await api().deactivateEndpointStage({ params: { id: 'toggle', stage: 'blue' } });
    const answered = await inFlight;
    expect(answered.status).toBe(200);
    expect(answered.body.predictions).toEqual([['b', 2]]);
    expect(deactivated).toMatchObject({ state: 'INACTIVE', default: true, memoryLimitMb: 300 });
    expect(deactivated.stateReason).toMatch(/^deactivated at /);
    expect(deactivated.instances.every((i) => i.state === 'STOPPED' && i.pid === null)).toBe(true);
    expect(alive(pid)).toBe(false);
    // announced: INACTIVE at once, then its workers stopped
    const blueIn = (e: ResourceEvent) => (e.data as Endpoint | null)?.stages.find((st) => st.name === 'blue');
    await waitFor(
      async () => events.some((e) => blueIn(e)?.state === 'INACTIVE' && blueIn(e)?.instances[0]?.state === 'STOPPED'),
      10_000,
      'the event of the stopped stage',
    );
    stream.close();

    // its routes and the endpoint's default route: 503 with the reason; the other stage serves on
    for (const path of ['/inference/toggle', '/inference/toggle/blue', '/v1/models/toggle:predict']) {
      const refused = await infer(bridge, path, { instances: [[1]] });
      expect(refused.status, path).toBe(503);
      expect(refused.body.error?.code).toBe('not_ready');
      expect(refused.body.error?.message).toMatch(/stage "blue" of "toggle" is INACTIVE/);
    }
    const ready503 = await fetch(`${bridge.url}/v2/models/toggle/ready`, {
      headers: { authorization: `Bearer ${bridge.token}` },
    });
    expect(ready503.status).toBe(503);
    expect((await infer(bridge, '/inference/toggle/green', { instances: [[5]] })).body.predictions).toEqual([['g', 5]]);
    // the endpoint stays ACTIVE (settled, green serves) and says why its default route refuses
    const endpoint = await api().getEndpoint({ params: { id: 'toggle' } });
    expect(endpoint.state).toBe('ACTIVE');
    expect(endpoint.stateReason).toMatch(/default stage "blue" is INACTIVE/);

    // what a deactivated stage can't do
    const twice = await refusal(api().deactivateEndpointStage({ params: { id: 'toggle', stage: 'blue' } }));
    expect([twice.status, twice.code]).toEqual([409, 'conflict']);
    const notInactive = await refusal(api().activateEndpointStage({ params: { id: 'toggle', stage: 'green' } }));
    expect(notInactive.status).toBe(409);
    const redeploy = await refusal(api().deployEndpointStage({ params: { id: 'toggle', stage: 'blue' } }));
    expect(redeploy.status).toBe(409);
    // its settings still change
    const patched = await api().updateEndpointStage({ params: { id: 'toggle', stage: 'blue' }, body: { memoryLimitMb: 400 } });
    expect(patched).toMatchObject({ state: 'INACTIVE', memoryLimitMb: 400 });

    // a restarted bridge keeps it INACTIVE, its workers not started
    const { home } = bridge;
    await bridge.stop();
    bridge = await startBridge({ home, args: bridgeArgs(), env: bridgeEnv() });
    await activeStage(bridge.client, 'toggle', 'green');
    const kept = await stageOf('toggle', 'blue');
    expect(kept.state).toBe('INACTIVE');
    expect(kept.instances.every((i) => i.state === 'STOPPED' && i.pid === null)).toBe(true);
    expect((await infer(bridge, '/inference/toggle', { instances: [[1]] })).status).toBe(503);

    // activated: DEPLOY IN PROGRESS, then ACTIVE with a new worker
    const activating = await api().activateEndpointStage({ params: { id: 'toggle', stage: 'blue' } });
    expect(activating.state).toBe('DEPLOY IN PROGRESS');
    const active = await activeStage(bridge.client, 'toggle', 'blue');
    expect(active.instances[0]?.pid).not.toBe(pid);
    expect((await infer(bridge, '/inference/toggle', { instances: [[2, 3]] })).body.predictions).toEqual([['b', 5]]);
    const after = await api().getEndpoint({ params: { id: 'toggle' } });
    expect([after.state, after.stateReason]).toEqual(['ACTIVE', null]);

    // a stage is INACTIVE from the moment it is deactivated, while its calls in flight are answered
    // (its call takes 8 s: the room for the steps below, on a loaded machine)
    await api().createModel({ body: { name: 'slower', artifactPath: writeCustomModel(join(work, 'slower'), 'a', 8000) } });
    await api().createEndpointStage({ params: { id: 'toggle' }, body: { name: 'amber', model: 'slower' } });
    await activeStage(bridge.client, 'toggle', 'amber');
    const slow = infer(bridge, '/inference/toggle/amber', { instances: [[3]] });
    await waitFor(async () => (await stageOf('toggle', 'amber')).instances[0]?.inFlight === 1, 10_000, 'the call in flight');
    const draining = api().deactivateEndpointStage({ params: { id: 'toggle', stage: 'amber' } });
    await waitFor(
      async () => (await infer(bridge, '/inference/toggle/amber', { instances: [[1]] })).status === 503,
      10_000,
      'the 503',
    );
    expect((await stageOf('toggle', 'amber')).state).toBe('INACTIVE');
    const midway = await refusal(api().setDefaultStage({ params: { id: 'toggle' }, body: { stage: 'amber' } }));
    expect(midway.status).toBe(409);
    expect(midway.message).toMatch(/stage "amber" is INACTIVE/);
    expect((await refusal(api().deactivateEndpointStage({ params: { id: 'toggle', stage: 'amber' } }))).status).toBe(409);
    // activated again while it still drains: the new workers serve, the old call is answered
    expect((await api().activateEndpointStage({ params: { id: 'toggle', stage: 'amber' } })).state).toBe('DEPLOY IN PROGRESS');
    expect((await slow).body.predictions).toEqual([['a', 3]]);
    await draining;
    await activeStage(bridge.client, 'toggle', 'amber');
    const back = await infer(bridge, '/inference/toggle/amber', { instances: [[4]] });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    expect(back.body.predictions).toEqual([['a', 4]]);
    expect((await stageOf('toggle', 'amber')).instances[0]?.state).toBe('READY');
    await api().deleteEndpointStage({ params: { id: 'toggle', stage: 'amber' } });

    // an INACTIVE stage serves nothing: its model version may be deactivated, and then it isn't activated
    await api().deactivateEndpointStage({ params: { id: 'toggle', stage: 'green' } });
    const notDefault = await refusal(api().setDefaultStage({ params: { id: 'toggle' }, body: { stage: 'green' } }));
    expect(notDefault.status).toBe(409);
    expect(notDefault.message).toMatch(/stage "green" is INACTIVE/);
    await api().updateModel({ params: { id: 'quick:1' }, body: { active: false } });
    const modelOff = await refusal(api().activateEndpointStage({ params: { id: 'toggle', stage: 'green' } }));
    expect(modelOff.status).toBe(409);
    expect(modelOff.message).toMatch(/reactivate it: emkit model activate quick:1/);
    expect((await stageOf('toggle', 'green')).state).toBe('INACTIVE');
    // and it is deleted as any other stage that isn't the default
    await api().deleteEndpointStage({ params: { id: 'toggle', stage: 'green' } });
    // an endpoint whose default stage is INACTIVE is deleted as any other
    await api().deactivateEndpointStage({ params: { id: 'toggle', stage: 'blue' } });
    await api().deleteEndpoint({ params: { id: 'toggle' } });
    expect((await refusal(api().getEndpoint({ params: { id: 'toggle' } }))).status).toBe(404);
  });
});
