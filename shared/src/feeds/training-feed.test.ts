import { describe, expect, it } from 'vitest';
import type { EmkitClient } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import type { ResourceEvent } from '../schemas/events.js';
import type { TrainingViewMessage } from './protocol.js';
import { TrainingFeed } from './training-feed.js';

// A no-code training's ending as the feed follows it (the holdout evaluation, the quick test),
// with the bridge's answers stood in for; the editors' end-to-end tests drive the real bridge.

function stub() {
  const state = { evaluation: null as string | null, evaluationState: 'RUNNING' };
  const calls: string[] = [];
  const api = {
    getTraining: async () => ({ id: 'tr-1', state: 'RUNNING', evaluation: state.evaluation, model: null }),
    getTrainingMetrics: async () => ({ series: [] }),
    listTrainingFiles: async () => ({ items: [] }),
    getEvaluation: async ({ params, query }: { params: { id: string }; query: { threshold?: number } }) => {
      calls.push(`evaluation ${params.id}${query.threshold === undefined ? '' : ` at ${query.threshold}`}`);
      return {
        id: params.id,
        state: state.evaluationState,
        atThreshold: query.threshold ? { threshold: query.threshold } : null,
      };
    },
    predictModelFile: async ({ params, query }: { params: { id: string }; query: Record<string, unknown> }) => {
      calls.push(`predict file ${params.id} scores=${Boolean(query.return_scores)}`);
      if (query.return_scores) throw new ApiError(400, 'bad_request', 'no scores');
      return { predictions: ['3'], warm: true, milliseconds: 4 };
    },
  };
  return { client: { api } as unknown as EmkitClient, calls, state };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const event = (resource: string, action: string, id: string, data: unknown): ResourceEvent =>
  ({ seq: 1, time: '2026-12-06T00:00:00.000Z', resource, action, id, data }) as ResourceEvent;

describe("the training feed's no-code ending", () => {
  it('shows the holdout evaluation once the training has one, and follows it until it settles', async () => {
    const { client, calls, state } = stub();
    const messages: TrainingViewMessage[] = [];
    const feed = new TrainingFeed(client, 'tr-1', (m) => messages.push(m), { WebSocket: undefined });
    feed.start();
    await settle();
    expect(messages.some((m) => m.type === 'evaluation')).toBe(false);

    state.evaluation = 'ev-1';
    feed.handleEvent(event('trainings', 'finished', 'tr-1', { id: 'tr-1', state: 'COMPLETE', evaluation: 'ev-1', model: null }));
    await settle();
    const evaluations = () => messages.filter((m) => m.type === 'evaluation');
    expect(evaluations()).toMatchObject([{ evaluation: { id: 'ev-1', state: 'RUNNING' } }]);

    state.evaluationState = 'COMPLETE';
    feed.handleEvent(event('evaluations', 'updated', 'ev-1', {}));
    feed.handleEvent(event('evaluations', 'updated', 'ev-other', {}));
    await settle();
    expect(calls.filter((c) => c.startsWith('evaluation'))).toEqual(['evaluation ev-1', 'evaluation ev-1']);
    expect(evaluations().at(-1)).toMatchObject({ evaluation: { state: 'COMPLETE' } });
    feed.dispose();
  });

  it("answers the quick test (asking again without scores when the model has none) and the slider's threshold", async () => {
    const { client, calls } = stub();
    const messages: TrainingViewMessage[] = [];
    const feed = new TrainingFeed(client, 'tr-1', (m) => messages.push(m), { WebSocket: undefined });
    const input = { kind: 'file' as const, name: 'three.png', type: 'image/png', base64: 'iVBORw0KGgo=' };
    expect(feed.act({ action: 'predict', requestId: 7, modelId: 'm-1', input })).toBe(true);
    await settle();
    await settle();
    expect(calls).toEqual(['predict file m-1 scores=true', 'predict file m-1 scores=false']);
    expect(messages.at(-1)).toMatchObject({ type: 'prediction', requestId: 7, prediction: { predictions: ['3'] } });

    expect(feed.act({ action: 'threshold', requestId: 8, evaluationId: 'ev-1', threshold: 0.7 })).toBe(true);
    await settle();
    expect(messages.at(-1)).toEqual({ type: 'threshold', requestId: 8, figures: { threshold: 0.7 } });
    expect(feed.act({ action: 'stop' })).toBe(false);
    feed.dispose();
  });
});
