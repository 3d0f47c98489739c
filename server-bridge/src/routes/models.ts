import type { Handlers } from './types.js';

export const modelHandlers: Handlers<'listModels' | 'createModel' | 'getModel' | 'updateModel' | 'promoteModel' | 'deleteModel'> =
  {
    listModels: ({ query }, { bridge }) => bridge.models.list(query),
    createModel: ({ body }, { bridge }) => bridge.models.create(body),
    getModel: ({ params }, { bridge }) => bridge.models.find(params.id),
    updateModel: ({ params, body }, { bridge }) => bridge.models.update(params.id, body),
    promoteModel: ({ params, body }, { bridge }) => bridge.models.promote(params.id, body.alias),
    deleteModel: async ({ params }, { bridge }) => {
      await bridge.models.delete(params.id);
      return undefined;
    },
  };
