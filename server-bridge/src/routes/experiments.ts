import type { Experiment } from '@emkit/shared';
import type { BridgeContext } from '../context.js';
import { conflict, notFound } from '../server/errors.js';
import { isUniqueViolation } from '../store/rows.js';
import type { Handlers } from './types.js';

function find(bridge: BridgeContext, key: string): Experiment {
  const experiment = bridge.store.experiments.get(key);
  if (!experiment) throw notFound('experiment', key);
  return experiment;
}

export const experimentHandlers: Handlers<
  'listExperiments' | 'createExperiment' | 'getExperiment' | 'updateExperiment' | 'deleteExperiment' | 'compareExperiment'
> = {
  listExperiments: ({ query }, { bridge }) => bridge.store.experiments.list(query?.limit ?? 100, query?.offset ?? 0),

  createExperiment: ({ body }, { bridge }) => {
    try {
      return bridge.store.tx(() => bridge.store.experiments.insert({ name: body.name, description: body.description ?? '' }));
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`an experiment named "${body.name}" already exists`);
      throw error;
    }
  },

  getExperiment: ({ params }, { bridge }) => find(bridge, params.id),

  compareExperiment: ({ params }, { bridge }) => bridge.trainings.compare(params.id),

  updateExperiment: ({ params, body }, { bridge }) =>
    bridge.store.tx(() => bridge.store.experiments.update(find(bridge, params.id), body.description)),

  deleteExperiment: ({ params }, { bridge, reply }) => {
    bridge.store.tx(() => {
      const experiment = find(bridge, params.id);
      const trainings = bridge.store.trainings.countInExperiment(experiment.id);
      if (trainings > 0) {
        throw conflict(`experiment "${experiment.name}" has ${trainings} training(s); delete them first`);
      }
      bridge.store.experiments.delete(experiment.id);
    });
    reply.status(204);
    return undefined;
  },
};
