import type { Handlers } from './types.js';

export const tensorboardHandlers: Handlers<'listTensorboards' | 'createTensorboard' | 'getTensorboard' | 'deleteTensorboard'> = {
  listTensorboards: ({ query }, { bridge }) => bridge.tensorboards.list(query?.limit ?? 100, query?.offset ?? 0),
  createTensorboard: ({ body }, { bridge }) => bridge.tensorboards.create(body),
  getTensorboard: ({ params }, { bridge }) => {
    const { port: _port, pid: _pid, ...tensorboard } = bridge.tensorboards.find(params.id);
    return tensorboard;
  },
  deleteTensorboard: async ({ params }, { bridge }) => {
    await bridge.tensorboards.delete(params.id);
    return undefined;
  },
};
