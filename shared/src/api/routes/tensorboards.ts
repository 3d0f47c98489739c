import { IdParams, ListQuery } from '../../schemas/common.js';
import { Tensorboard, TensorboardCreate, TensorboardList } from '../../schemas/tensorboards.js';
import type { RouteDef } from './route-def.js';

/** The routes of TensorBoards (OpenAPI tag `tensorboards`). */
export const tensorboardRoutes = {
  listTensorboards: {
    method: 'GET',
    url: '/api/v1/tensorboards',
    tag: 'tensorboards',
    summary: 'List TensorBoards',
    querystring: ListQuery,
    status: 200,
    response: TensorboardList,
  },
  createTensorboard: {
    method: 'POST',
    url: '/api/v1/tensorboards',
    tag: 'tensorboards',
    summary:
      'Start TensorBoard for a training or an experiment (or answer the one already running for it), served at /tensorboard/{id}/',
    body: TensorboardCreate,
    status: 202,
    response: Tensorboard,
  },
  getTensorboard: {
    method: 'GET',
    url: '/api/v1/tensorboards/:id',
    tag: 'tensorboards',
    summary: 'Get a TensorBoard',
    params: IdParams,
    status: 200,
    response: Tensorboard,
  },
  deleteTensorboard: {
    method: 'DELETE',
    url: '/api/v1/tensorboards/:id',
    tag: 'tensorboards',
    summary: 'Stop a TensorBoard',
    params: IdParams,
    status: 204,
    response: null,
  },
} as const satisfies Record<string, RouteDef>;
