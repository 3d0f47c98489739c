import type { Handlers } from './types.js';

export const batchInferenceHandlers: Handlers<
  | 'listBatchInferences'
  | 'createBatchInference'
  | 'getBatchInference'
  | 'stopBatchInference'
  | 'deleteBatchInference'
  | 'getBatchInferenceLog'
  | 'listBatchInferenceErrors'
> = {
  listBatchInferences: ({ query }, { bridge }) => bridge.batchInferences.list(query),
  createBatchInference: ({ body }, { bridge }) => bridge.batchInferences.create(body),
  getBatchInference: ({ params }, { bridge }) => bridge.batchInferences.find(params.id),
  stopBatchInference: ({ params }, { bridge }) => bridge.batchInferences.stop(params.id),
  deleteBatchInference: async ({ params }, { bridge }) => {
    await bridge.batchInferences.delete(params.id);
    return undefined;
  },
  getBatchInferenceLog: ({ params, query }, { bridge }) => bridge.batchInferences.readLog(params.id, query),
  listBatchInferenceErrors: ({ params, query }, { bridge }) => bridge.batchInferences.readErrors(params.id, query?.limit),
};
