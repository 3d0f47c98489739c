import type { Handlers } from './types.js';

export const environmentHandlers: Handlers<
  | 'listEnvironmentManagers'
  | 'listEnvironments'
  | 'createEnvironment'
  | 'getEnvironment'
  | 'getEnvironmentLog'
  | 'deleteEnvironment'
> = {
  listEnvironmentManagers: (_input, { bridge }) => bridge.environments.managers(),
  listEnvironments: ({ query }, { bridge }) => bridge.environments.list(query),
  createEnvironment: ({ body }, { bridge }) => bridge.environments.create(body),
  getEnvironment: ({ params }, { bridge }) => bridge.environments.find(params.id),
  getEnvironmentLog: ({ params, query }, { bridge }) => bridge.environments.readLog(params.id, query),
  deleteEnvironment: ({ params }, { bridge }) => bridge.environments.delete(params.id),
};
