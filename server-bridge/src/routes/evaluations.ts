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
> = {
  listEvaluations: notYet,
  createEvaluation: notYet,
  getEvaluation: notYet,
  stopEvaluation: notYet,
  deleteEvaluation: notYet,
  getEvaluationLog: notYet,
  listModelEvaluations: notYet,
};
