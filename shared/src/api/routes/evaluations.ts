import { IdParams, LogChunk, LogQuery } from '../../schemas/common.js';
import {
  Evaluation,
  EvaluationCreate,
  EvaluationList,
  EvaluationListQuery,
  EvaluationQuery,
  ModelIterations,
  ModelIterationsQuery,
} from '../../schemas/evaluations.js';
import { ModelParams } from '../../schemas/models.js';
import type { RouteDef } from './route-def.js';

/** The routes of evaluations (OpenAPI tag `evaluations`): judge a model version on a held-out dataset. */
export const evaluationRoutes = {
  listEvaluations: {
    method: 'GET',
    url: '/api/v1/evaluations',
    tag: 'evaluations',
    summary: 'List evaluations, newest first; filter by model (id, name, name:version, name@alias) or state',
    querystring: EvaluationListQuery,
    status: 200,
    response: EvaluationList,
  },
  createEvaluation: {
    method: 'POST',
    url: '/api/v1/evaluations',
    tag: 'evaluations',
    summary: "Evaluate a model version on a dataset; it runs in the background in the model's environment",
    body: EvaluationCreate,
    status: 202,
    response: Evaluation,
  },
  getEvaluation: {
    method: 'GET',
    url: '/api/v1/evaluations/:id',
    tag: 'evaluations',
    summary: 'Get an evaluation with its result; `threshold` for precision/recall per class at that threshold',
    params: IdParams,
    querystring: EvaluationQuery,
    status: 200,
    response: Evaluation,
  },
  stopEvaluation: {
    method: 'POST',
    url: '/api/v1/evaluations/:id/stop',
    tag: 'evaluations',
    summary: 'Stop a running evaluation (STOP IN PROGRESS → STOPPED)',
    params: IdParams,
    status: 202,
    response: Evaluation,
  },
  deleteEvaluation: {
    method: 'DELETE',
    url: '/api/v1/evaluations/:id',
    tag: 'evaluations',
    summary: 'Delete a settled evaluation and its files',
    params: IdParams,
    status: 204,
    response: null,
  },
  getEvaluationLog: {
    method: 'GET',
    url: '/api/v1/evaluations/:id/log',
    tag: 'evaluations',
    summary: "The evaluation runner's log from a byte offset, cut at a line end",
    params: IdParams,
    querystring: LogQuery,
    status: 200,
    response: LogChunk,
  },
  listModelEvaluations: {
    method: 'GET',
    url: '/api/v1/models/:id/evaluations',
    tag: 'evaluations',
    summary: "A model's versions as iterations: each one's latest COMPLETE evaluation on the same dataset",
    params: ModelParams,
    querystring: ModelIterationsQuery,
    status: 200,
    response: ModelIterations,
  },
} as const satisfies Record<string, RouteDef>;
