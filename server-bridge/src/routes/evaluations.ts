import type { Handlers } from './types.js';

export const evaluationHandlers: Handlers<
  | 'listEvaluations'
  | 'createEvaluation'
  | 'getEvaluation'
  | 'stopEvaluation'
  | 'deleteEvaluation'
  | 'getEvaluationLog'
  | 'listModelEvaluations'
> = {
  listEvaluations: ({ query }, { bridge }) => bridge.evaluations.list(query),
  createEvaluation: ({ body }, { bridge }) => bridge.evaluations.create(body),
  getEvaluation: ({ params, query }, { bridge }) => bridge.evaluations.find(params.id, query?.threshold),
  stopEvaluation: ({ params }, { bridge }) => bridge.evaluations.stop(params.id),
  deleteEvaluation: async ({ params }, { bridge }) => {
    await bridge.evaluations.delete(params.id);
    return undefined;
  },
  getEvaluationLog: ({ params, query }, { bridge }) => bridge.evaluations.readLog(params.id, query),
  listModelEvaluations: ({ params, query }, { bridge }) => bridge.evaluations.iterations(params.id, query?.dataset),
};
