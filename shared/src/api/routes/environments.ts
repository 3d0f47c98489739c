import { IdParams, ListQuery, LogChunk, LogQuery } from '../../schemas/common.js';
import { Environment, EnvironmentCreate, EnvironmentList, EnvironmentManagers } from '../../schemas/environments.js';
import type { RouteDef } from './route-def.js';

/** The routes of environments and the managers that build them (OpenAPI tag `environments`). */
export const environmentRoutes = {
  listEnvironmentManagers: {
    method: 'GET',
    url: '/api/v1/environment-managers',
    tag: 'environments',
    summary: 'Which environment managers and Python versions this machine has',
    status: 200,
    response: EnvironmentManagers,
  },
  listEnvironments: {
    method: 'GET',
    url: '/api/v1/environments',
    tag: 'environments',
    summary: 'List environments',
    querystring: ListQuery,
    status: 200,
    response: EnvironmentList,
  },
  createEnvironment: {
    method: 'POST',
    url: '/api/v1/environments',
    tag: 'environments',
    summary: 'Create an environment; it is built in the background (CREATE IN PROGRESS → ACTIVE)',
    body: EnvironmentCreate,
    status: 202,
    response: Environment,
  },
  getEnvironment: {
    method: 'GET',
    url: '/api/v1/environments/:id',
    tag: 'environments',
    summary: 'Get an environment',
    params: IdParams,
    status: 200,
    response: Environment,
  },
  getEnvironmentLog: {
    method: 'GET',
    url: '/api/v1/environments/:id/log',
    tag: 'environments',
    summary: 'The creation log, from a byte offset',
    params: IdParams,
    querystring: LogQuery,
    status: 200,
    response: LogChunk,
  },
  deleteEnvironment: {
    method: 'DELETE',
    url: '/api/v1/environments/:id',
    tag: 'environments',
    summary: 'Delete an environment and its kernel; removed in the background',
    params: IdParams,
    status: 202,
    response: Environment,
  },
} as const satisfies Record<string, RouteDef>;
