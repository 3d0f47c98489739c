import type { Handlers } from './types.js';

export const endpointHandlers: Handlers<
  | 'listEndpoints'
  | 'createEndpoint'
  | 'getEndpoint'
  | 'updateEndpoint'
  | 'deleteEndpoint'
  | 'createEndpointStage'
  | 'getEndpointStage'
  | 'updateEndpointStage'
  | 'deployEndpointStage'
  | 'deactivateEndpointStage'
  | 'activateEndpointStage'
  | 'deleteEndpointStage'
  | 'setDefaultStage'
  | 'getEndpointStats'
  | 'getEndpointLogs'
> = {
  listEndpoints: ({ query }, { bridge }) => bridge.endpoints.list(query),
  createEndpoint: async ({ body }, { bridge }) => {
    await bridge.drift.checkSettings(body.model, body.drift);
    return bridge.endpoints.create(body);
  },
  getEndpoint: ({ params }, { bridge }) => bridge.endpoints.find(params.id),
  updateEndpoint: ({ params, body }, { bridge }) => bridge.endpoints.update(params.id, body),
  deleteEndpoint: async ({ params }, { bridge }) => {
    await bridge.endpoints.delete(params.id);
    return undefined;
  },
  createEndpointStage: async ({ params, body }, { bridge }) => {
    await bridge.drift.checkSettings(body.model, body.drift);
    return bridge.endpoints.addStage(params.id, body);
  },
  getEndpointStage: ({ params }, { bridge }) => bridge.endpoints.findStage(params.id, params.stage),
  updateEndpointStage: async ({ params, body }, { bridge }) => {
    // a drift reference lacking the model's input columns is refused before anything is stored
    await bridge.drift.checkSettings(bridge.endpoints.findStage(params.id, params.stage).model.id, body.drift);
    return bridge.endpoints.updateStage(params.id, params.stage, body);
  },
  deployEndpointStage: ({ params }, { bridge }) => bridge.endpoints.redeployStage(params.id, params.stage),
  deactivateEndpointStage: ({ params }, { bridge }) => bridge.endpoints.deactivateStage(params.id, params.stage),
  activateEndpointStage: ({ params }, { bridge }) => bridge.endpoints.activateStage(params.id, params.stage),
  deleteEndpointStage: async ({ params }, { bridge }) => {
    await bridge.endpoints.deleteStage(params.id, params.stage);
    return undefined;
  },
  setDefaultStage: ({ params, body }, { bridge }) => bridge.endpoints.setDefault(params.id, body.stage),
  getEndpointStats: ({ params, query }, { bridge }) => bridge.endpoints.stats(params.id, query),
  getEndpointLogs: ({ params, query }, { bridge }) => bridge.endpoints.inferenceLogs(params.id, query),
};
