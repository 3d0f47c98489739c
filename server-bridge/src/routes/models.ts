import type { ModelPredict } from '@emkit/shared';
import { HttpError } from '../server/errors.js';
import type { Handlers } from './types.js';

export const modelHandlers: Handlers<
  'listModels' | 'createModel' | 'getModel' | 'updateModel' | 'promoteModel' | 'deleteModel' | 'predictModel' | 'predictModelFile'
> = {
  listModels: ({ query }, { bridge }) => bridge.models.list(query),
  createModel: ({ body }, { bridge }) => bridge.models.create(body),
  getModel: ({ params }, { bridge }) => bridge.models.find(params.id),
  updateModel: ({ params, body }, { bridge }) => bridge.models.update(params.id, body),
  promoteModel: ({ params, body }, { bridge }) => bridge.models.promote(params.id, body.alias),
  deleteModel: async ({ params, query }, { bridge }) => {
    await bridge.models.delete(params.id, query?.withSources === true);
    return undefined;
  },
  predictModel: ({ params, body }, { bridge }) => bridge.quickTests.predict(params.id, body),
  predictModelFile: ({ params, query, body }, { bridge, request }) => {
    const bytes = body as unknown as Buffer | undefined;
    if (!bytes || bytes.length === 0) throw new HttpError(400, 'validation', 'the file is empty', 'body');
    // TF Serving's convention for binary inputs: a custom predict.py decodes "b64"
    const instance = {
      b64: bytes.toString('base64'),
      filename: query?.filename ?? null,
      contentType: (request.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '',
    };
    const input: ModelPredict = { instances: [instance], ...(query?.return_scores ? { return_scores: true } : {}) };
    return bridge.quickTests.predict(params.id, input);
  },
};
