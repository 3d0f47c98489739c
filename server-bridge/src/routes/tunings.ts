import type { Handlers } from './types.js';

export const tuningHandlers: Handlers<
  | 'listTunings'
  | 'createTuning'
  | 'getTuning'
  | 'updateTuning'
  | 'stopTuning'
  | 'copyTuning'
  | 'listTuningTrials'
  | 'deleteTuning'
> = {
  listTunings: ({ query }, { bridge }) => bridge.tunings.list(query),
  createTuning: ({ body }, { bridge }) => bridge.tunings.create(body),
  getTuning: ({ params }, { bridge }) => bridge.tunings.find(params.id),
  updateTuning: ({ params, body }, { bridge }) => bridge.tunings.update(params.id, body),
  stopTuning: ({ params }, { bridge }) => bridge.tunings.stop(params.id),
  copyTuning: ({ params, body }, { bridge }) => bridge.tunings.copy(params.id, body ?? {}),
  listTuningTrials: ({ params, query }, { bridge }) => bridge.tunings.trials(params.id, query),
  deleteTuning: async ({ params, query }, { bridge }) => {
    await bridge.tunings.delete(params.id, query);
    return undefined;
  },
};
