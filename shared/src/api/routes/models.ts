import { ModelPredict, ModelPrediction } from '../../schemas/evaluations.js';
import { Model, ModelCreate, ModelList, ModelListQuery, ModelParams, ModelPromote, ModelUpdate } from '../../schemas/models.js';
import type { RouteDef } from './route-def.js';

/** The routes of the model registry: versions and aliases (OpenAPI tag `models`). */
export const modelRoutes = {
  listModels: {
    method: 'GET',
    url: '/api/v1/models',
    tag: 'models',
    summary: 'List model versions, newest first; `name` for the versions of one model',
    querystring: ModelListQuery,
    status: 200,
    response: ModelList,
  },
  createModel: {
    method: 'POST',
    url: '/api/v1/models',
    tag: 'models',
    summary: "Register the next version of a model from a COMPLETE training's EM_MODEL_DIR or from an artifact path",
    body: ModelCreate,
    status: 201,
    response: Model,
  },
  getModel: {
    method: 'GET',
    url: '/api/v1/models/:id',
    tag: 'models',
    summary: 'Get a model version: by id, name (the newest), name:version or name@alias',
    params: ModelParams,
    status: 200,
    response: Model,
  },
  updateModel: {
    method: 'PATCH',
    url: '/api/v1/models/:id',
    tag: 'models',
    summary: 'Change the description or the tags of a version',
    params: ModelParams,
    body: ModelUpdate,
    status: 200,
    response: Model,
  },
  promoteModel: {
    method: 'POST',
    url: '/api/v1/models/:id/promote',
    tag: 'models',
    summary: 'Point an alias (production, staging, …) at this version, taking it from the version that had it',
    params: ModelParams,
    body: ModelPromote,
    status: 200,
    response: Model,
  },
  deleteModel: {
    method: 'DELETE',
    url: '/api/v1/models/:id',
    tag: 'models',
    summary: 'Delete a model version and its artifact; refused (409) while a stage serves it',
    params: ModelParams,
    status: 204,
    response: null,
  },
  predictModel: {
    method: 'POST',
    url: '/api/v1/models/:id/predict',
    tag: 'models',
    summary: 'Quick test: call a model version with no endpoint (a worker kept warm for a few minutes)',
    params: ModelParams,
    body: ModelPredict,
    status: 200,
    response: ModelPrediction,
  },
} as const satisfies Record<string, RouteDef>;
