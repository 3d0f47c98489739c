import { describe, expect, it } from 'vitest';
import type { EmkitClient } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import type { ResourceEvent } from '../schemas/events.js';
import { ModelFeed } from './model-feed.js';
import type { ModelViewMessage } from './protocol.js';

// The feed's choices (which version, which evaluation, when to read again) with the bridge's
// answers stood in for; the real bridge is driven by the editors' end-to-end tests.

const SHA = 'c'.repeat(64);
const line = (version: number, evaluated: boolean) => ({
  modelId: `m${version}`,
  version,
  aliases: [],
  evaluation: evaluated ? ({ id: `ev-${version}`, state: 'COMPLETE', metrics: {} } as never) : null,
});

function stub(state: { evaluations: Record<string, { state: string; version: number }> }) {
  const calls: string[] = [];
  const api = {
    listModelEvaluations: async ({ query }: { query: { dataset?: string } }) => {
      calls.push(`iterations ${query.dataset ?? ''}`.trim());
      return {
        name: 'iris',
        dataset: { sha256: SHA, path: '/d.csv' },
        datasets: [],
        iterations: [line(1, true), line(2, true), line(3, false)],
      };
    },
    listEvaluations: async ({ query }: { query: { model: string } }) => {
      calls.push(`list ${query.model}`);
      return { items: query.model === 'm3' ? [] : [{ id: 'ev-x' }], total: 0 };
    },
    getEvaluation: async ({ params, query }: { params: { id: string }; query: { threshold?: number } }) => {
      calls.push(`get ${params.id}${query.threshold === undefined ? '' : `@${query.threshold}`}`);
      const known = state.evaluations[params.id] ?? { state: 'COMPLETE', version: 2 };
      return {
        id: params.id,
        model: { id: `m${known.version}`, name: 'iris', version: known.version },
        state: known.state,
        atThreshold: query.threshold === undefined ? null : { threshold: query.threshold, perClass: [], macro: {} },
      };
    },
    predictModel: async ({ params, body }: { params: { id: string }; body: { return_scores?: boolean } }) => {
      calls.push(`predict ${params.id} ${JSON.stringify(body)}`);
      // m3 is a regressor: no class scores, as the worker says with a 400
      if (params.id === 'm3' && body.return_scores)
        throw new ApiError(400, 'validation', 'LinearRegression has no predict_proba or decision_function');
      return { predictions: [0], warm: true, milliseconds: 2 };
    },
    predictModelFile: async ({ params, query, body }: { params: { id: string }; query: unknown; body: Blob }) => {
      calls.push(`file ${params.id} ${JSON.stringify(query)} ${body.type} ${(await body.arrayBuffer()).byteLength}B`);
      return { predictions: ['cat'], warm: true, milliseconds: 3 };
    },
  };
  return { client: { api } as unknown as EmkitClient, calls };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const event = (action: ResourceEvent['action'], id: string, data: Record<string, unknown>): ResourceEvent =>
  ({ seq: 1, time: '2026-12-06T10:00:00.000Z', resource: 'evaluations', action, id, data }) as unknown as ResourceEvent;

describe('model feed', () => {
  it('shows the newest evaluated version first, and another on selectVersion (its newest of any state when not lined up)', async () => {
    const { client, calls } = stub({ evaluations: {} });
    const messages: ModelViewMessage[] = [];
    const feed = new ModelFeed(client, 'iris', (m) => messages.push(m));
    feed.start();
    await settle();
    expect(calls).toEqual(['iterations', 'get ev-2']);
    expect(messages.map((m) => m.type)).toEqual(['iterations', 'evaluation']);
    expect(feed.act({ action: 'selectVersion', modelId: 'm3' })).toBe(true);
    await settle();
    expect(calls.slice(2)).toEqual(['list m3']);
    expect(messages.at(-1)).toEqual({ type: 'evaluation', modelId: 'm3', evaluation: null });
    expect(feed.act({ action: 'evaluate', modelId: 'm3' })).toBe(false);
  });

  it('follows an evaluation it was opened on, reads it again on its events, and the iterations once it settles', async () => {
    const evaluations: Record<string, { state: string; version: number }> = { 'ev-9': { state: 'RUNNING', version: 3 } };
    const { client, calls } = stub({ evaluations });
    const messages: ModelViewMessage[] = [];
    const feed = new ModelFeed(client, 'iris', (m) => messages.push(m), { evaluationId: 'ev-9' });
    feed.start();
    await settle();
    expect(calls).toEqual(['iterations', 'get ev-9']);
    // someone else's model: nothing
    feed.handleEvent(event('updated', 'ev-0', { model: { id: 'z1', name: 'other' }, state: 'RUNNING' }));
    evaluations['ev-9'] = { state: 'COMPLETE', version: 3 };
    feed.handleEvent(event('finished', 'ev-9', { model: { id: 'm3', name: 'iris' }, state: 'COMPLETE' }));
    await settle();
    await settle();
    expect(calls.slice(2).sort()).toEqual(['get ev-9', 'iterations']);
    const last = messages.filter((m) => m.type === 'evaluation').at(-1);
    expect(last?.type === 'evaluation' && last.evaluation?.state).toBe('COMPLETE');
    // a new evaluation of the version on show is followed from its creation
    feed.handleEvent(event('created', 'ev-10', { model: { id: 'm3', name: 'iris' }, state: 'CREATE REQUESTED' }));
    await settle();
    expect(calls.at(-1)).toBe('get ev-10');
  });

  it('answers a threshold with its request id, and asks the quick test for scores', async () => {
    const { client, calls } = stub({ evaluations: {} });
    const messages: ModelViewMessage[] = [];
    const feed = new ModelFeed(client, 'iris', (m) => messages.push(m));
    feed.act({ action: 'threshold', requestId: 7, evaluationId: 'ev-2', threshold: 0.8 });
    feed.act({ action: 'predict', requestId: 8, modelId: 'm2', input: { kind: 'json', instances: [[1, 2]] } });
    // a file the page read goes to the file route as its bytes: 'iVBORw0KGgo=' is a PNG's 8-byte signature
    feed.act({
      action: 'predict',
      requestId: 9,
      modelId: 'm2',
      input: { kind: 'file', name: 'cat.png', type: 'image/png', base64: 'iVBORw0KGgo=' },
    });
    await settle();
    await settle();
    expect(calls).toEqual([
      'get ev-2@0.8',
      'predict m2 {"instances":[[1,2]],"return_scores":true}',
      'file m2 {"filename":"cat.png","return_scores":true} image/png 8B',
    ]);
    expect(messages).toEqual([
      { type: 'threshold', requestId: 7, figures: { threshold: 0.8, perClass: [], macro: {} } },
      { type: 'prediction', requestId: 8, prediction: { predictions: [0], warm: true, milliseconds: 2 } },
      { type: 'prediction', requestId: 9, prediction: { predictions: ['cat'], warm: true, milliseconds: 3 } },
    ]);
  });

  it('asks a model with no class scores again without them, and not for them the next time', async () => {
    const { client, calls } = stub({ evaluations: {} });
    const messages: ModelViewMessage[] = [];
    const feed = new ModelFeed(client, 'iris', (m) => messages.push(m));
    for (const requestId of [1, 2]) {
      feed.act({ action: 'predict', requestId, modelId: 'm3', input: { kind: 'json', instances: [[1, 2]] } });
      await settle();
      await settle();
    }
    expect(calls).toEqual([
      'predict m3 {"instances":[[1,2]],"return_scores":true}',
      'predict m3 {"instances":[[1,2]]}',
      'predict m3 {"instances":[[1,2]]}',
    ]);
    expect(messages.map((m) => m.type)).toEqual(['prediction', 'prediction']);
  });
});
