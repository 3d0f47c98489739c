import type { Handlers } from './types.js';

export const tensorboardHandlers: Handlers<'listTensorboards' | 'createTensorboard' | 'getTensorboard' | 'deleteTensorboard'> = {
  listTensorboards: ({ query }, { bridge }) => bridge.tensorboards.list(query),
  createTensorboard: ({ body }, { bridge }) => bridge.tensorboards.create(body),
  getTensorboard: ({ params }, { bridge }) => bridge.tensorboards.find(params.id),
  deleteTensorboard: async ({ params }, { bridge }) => {
    await bridge.tensorboards.delete(params.id);
    return undefined;
  },
};
