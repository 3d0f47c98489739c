import type { Endpoint, EndpointStage, StageInstance } from '@emkit/shared';
import type { EndpointRecord, StageRecord } from '../store/endpoints.js';

/** A stage's workers as they are now (none when the stage has no runtime). */
export type InstancesOf = (stageId: string) => StageInstance[];

/** The public object of a stage: its row, its URL and its workers. */
export function presentStage(endpoint: EndpointRecord, stage: StageRecord, instancesOf: InstancesOf): EndpointStage {
  return {
    id: stage.id,
    endpointId: endpoint.id,
    name: stage.name,
    description: stage.description,
    default: stage.id === endpoint.defaultStageId,
    state: stage.state,
    stateReason: stage.stateReason,
    url: `/inference/${endpoint.name}/${stage.name}`,
    resourcePath: stage.resourcePath,
    model: { id: stage.model.id, name: stage.model.name, version: stage.model.version, framework: stage.model.framework },
    instanceCount: stage.instanceCount,
    instances: instancesOf(stage.id),
    python: stage.python,
    cluster: stage.cluster?.name ?? null,
    autoscaling: stage.autoscaling,
    memoryLimitMb: stage.memoryLimitMb,
    payloadLogging: stage.payloadLogging,
    drift: stage.drift,
    createdAt: stage.createdAt,
    updatedAt: stage.updatedAt,
  };
}

/**
 * The public object of an endpoint with its stages. `issuedKey` is a new API key, shown
 * once, in the answer that made it; only its hash is kept.
 */
export function presentEndpoint(
  endpoint: EndpointRecord,
  stages: StageRecord[],
  instancesOf: InstancesOf,
  issuedKey?: string,
): Endpoint {
  return {
    id: endpoint.id,
    name: endpoint.name,
    description: endpoint.description,
    state: endpoint.state,
    stateReason: endpoint.stateReason,
    url: `/inference/${endpoint.name}`,
    defaultStage: stages.find((s) => s.id === endpoint.defaultStageId)?.name ?? null,
    hasApiKey: endpoint.apiKeyHash !== null,
    ...(issuedKey ? { apiKey: issuedKey } : {}),
    tags: endpoint.tags,
    stages: stages.map((s) => presentStage(endpoint, s, instancesOf)),
    createdAt: endpoint.createdAt,
    updatedAt: endpoint.updatedAt,
  };
}
