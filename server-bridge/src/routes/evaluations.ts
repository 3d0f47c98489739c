import { HttpError } from '../server/errors.js';
import type { Handlers } from './types.js';

// Placeholder while the evaluations service is built (issue 14): every route answers 500 with a plain reason.
const notYet = (): never => {
  throw new HttpError(500, 'internal', 'evaluations are not built yet');
};

export const evaluationHandlers: Handlers<
  | 'listEvaluations'
  | 'createEvaluation'
  | 'getEvaluation'
  | 'stopEvaluation'
  | 'deleteEvaluation'
  | 'getEvaluationLog'
  | 'listModelEvaluations'
  | 'predictModel'
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
  predictModel: notYet,
};
