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
  listEnvironments: ({ query }, { bridge }) => bridge.store.environments.list(query?.limit ?? 100, query?.offset ?? 0),
  createEnvironment: ({ body }, { bridge }) => bridge.environments.create(body),
  getEnvironment: ({ params }, { bridge }) => bridge.environments.find(params.id),
  getEnvironmentLog: ({ params, query }, { bridge }) =>
    bridge.environments.readLog(params.id, query?.offset ?? 0, query?.limit ?? 1_048_576),
  deleteEnvironment: ({ params }, { bridge }) => bridge.environments.delete(params.id),
};
