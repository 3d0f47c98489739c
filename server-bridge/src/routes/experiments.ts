import type { Handlers } from './types.js';

export const experimentHandlers: Handlers<
  'listExperiments' | 'createExperiment' | 'getExperiment' | 'updateExperiment' | 'deleteExperiment' | 'compareExperiment'
> = {
  listExperiments: ({ query }, { bridge }) => bridge.experiments.list(query),
  createExperiment: ({ body }, { bridge }) => bridge.experiments.create(body),
  getExperiment: ({ params }, { bridge }) => bridge.experiments.find(params.id),
  compareExperiment: ({ params }, { bridge }) => bridge.experiments.compare(params.id),
  updateExperiment: ({ params, body }, { bridge }) => bridge.experiments.update(params.id, body),
  deleteExperiment: ({ params }, { bridge, reply }) => {
    bridge.experiments.delete(params.id);
    reply.status(204);
    return undefined;
  },
};
