import type { Handlers } from './types.js';

export const monitoringHandlers: Handlers<
  | 'getTrainingResources'
  | 'getEndpointResources'
  | 'getBatchInferenceResources'
  | 'listEndpointPayloads'
  | 'getEndpointDrift'
  | 'sendEndpointFeedback'
  | 'getEndpointModelQuality'
> = {
  getTrainingResources: ({ params, query }, { bridge }) => bridge.usage.resources('trainings', params.id, query),
  getEndpointResources: ({ params, query }, { bridge }) => bridge.usage.resources('endpoints', params.id, query),
  getBatchInferenceResources: ({ params, query }, { bridge }) => bridge.usage.resources('batch-inferences', params.id, query),
  listEndpointPayloads: ({ params, query }, { bridge }) => bridge.payloads.list(params.id, query),
  getEndpointDrift: ({ params, query }, { bridge }) => bridge.drift.get(params.id, query),
  sendEndpointFeedback: ({ params, body }, { bridge }) => bridge.payloads.feedback(params.id, body),
  getEndpointModelQuality: ({ params, query }, { bridge }) => bridge.modelQuality.get(params.id, query),
};
