import { IdParams, ListQuery } from '../../schemas/common.js';
import { Experiment, ExperimentCreate, ExperimentList, ExperimentUpdate } from '../../schemas/experiments.js';
import { ExperimentComparison } from '../../schemas/metrics.js';
import type { RouteDef } from './route-def.js';

/** The routes of experiments and their comparison (OpenAPI tag `experiments`). */
export const experimentRoutes = {
  listExperiments: {
    method: 'GET',
    url: '/api/v1/experiments',
    tag: 'experiments',
    summary: 'List experiments',
    querystring: ListQuery,
    status: 200,
    response: ExperimentList,
  },
  createExperiment: {
    method: 'POST',
    url: '/api/v1/experiments',
    tag: 'experiments',
    summary: 'Create an experiment',
    body: ExperimentCreate,
    status: 201,
    response: Experiment,
  },
  getExperiment: {
    method: 'GET',
    url: '/api/v1/experiments/:id',
    tag: 'experiments',
    summary: 'Get an experiment',
    params: IdParams,
    status: 200,
    response: Experiment,
  },
  updateExperiment: {
    method: 'PATCH',
    url: '/api/v1/experiments/:id',
    tag: 'experiments',
    summary: 'Change the description',
    params: IdParams,
    body: ExperimentUpdate,
    status: 200,
    response: Experiment,
  },
  deleteExperiment: {
    method: 'DELETE',
    url: '/api/v1/experiments/:id',
    tag: 'experiments',
    summary: 'Delete an experiment; refused (409) while it has trainings',
    params: IdParams,
    status: 204,
    response: null,
  },
  compareExperiment: {
    method: 'GET',
    url: '/api/v1/experiments/:id/comparison',
    tag: 'experiments',
    summary: 'Every training of the experiment with its hyperparameters and the last and best value of each metric',
    params: IdParams,
    status: 200,
    response: ExperimentComparison,
  },
} as const satisfies Record<string, RouteDef>;
