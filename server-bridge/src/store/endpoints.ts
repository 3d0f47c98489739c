import {
  type DriftSettings,
  type EndpointState,
  type ModelFramework,
  type PayloadLogging,
  type StageAutoscaling,
  type StageDrift,
  type StagePayloadLogging,
  type StageState,
  stageDrift,
  stagePayloadLogging,
} from '@emkit/shared';
import type Database from 'better-sqlite3';
import { newId, now } from './rows.js';

interface EndpointRow {
  id: string;
  name: string;
  description: string;
  state: EndpointState;
  state_reason: string | null;
  default_stage_id: string | null;
  api_key_hash: string | null;
  tags: string;
  created_at: string;
  updated_at: string;
}

interface StageRow {
  id: string;
  endpoint_id: string;
  name: string;
  description: string;
  model_id: string;
  model_name: string;
  model_version: number;
  framework: ModelFramework;
  artifact_path: string;
  instance_count: number;
  resource_path: string;
  python: string;
  cluster_id: string | null;
  cluster_name: string | null;
  autoscaling: string | null;
  memory_limit_mb: number | null;
  /** JSON: PayloadLogging as given (NULL: off) */
  payload_logging: string | null;
  /** JSON: DriftSettings as given (NULL: off) */
  drift: string | null;
  state: StageState;
  state_reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface EndpointRecord {
  id: string;
  name: string;
  description: string;
  state: EndpointState;
  stateReason: string | null;
  defaultStageId: string | null;
  apiKeyHash: string | null;
  tags: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

export interface StageRecord {
  id: string;
  endpointId: string;
  name: string;
  description: string;
  model: { id: string; name: string; version: number; framework: ModelFramework; artifactPath: string };
  instanceCount: number;
  resourcePath: string;
  python: string;
  /** the Ray cluster it runs on (a Ray Serve application there); null: this machine */
  cluster: { id: string; name: string } | null;
  autoscaling: StageAutoscaling | null;
  /** a worker whose resident memory goes over this is restarted; null: no limit */
  memoryLimitMb: number | null;
  /** with the schema's defaults filled in */
  payloadLogging: StagePayloadLogging;
  /** with the schema's defaults filled in; null: no drift watch */
  drift: StageDrift | null;
  state: StageState;
  stateReason: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What watches a stage, as it is given (create, PATCH); changed without a redeploy. */
export interface StageMonitoringInput {
  memoryLimitMb?: number | null;
  payloadLogging?: PayloadLogging | null;
  drift?: DriftSettings | null;
}

const toEndpoint = (row: EndpointRow): EndpointRecord => ({
  id: row.id,
  name: row.name,
  description: row.description,
  state: row.state,
  stateReason: row.state_reason,
  defaultStageId: row.default_stage_id,
  apiKeyHash: row.api_key_hash,
  tags: JSON.parse(row.tags) as Record<string, string>,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toStage = (row: StageRow): StageRecord => ({
  id: row.id,
  endpointId: row.endpoint_id,
  name: row.name,
  description: row.description,
  model: {
    id: row.model_id,
    name: row.model_name,
    version: row.model_version,
    framework: row.framework,
    artifactPath: row.artifact_path,
  },
  instanceCount: row.instance_count,
  resourcePath: row.resource_path,
  python: row.python,
  cluster: row.cluster_id ? { id: row.cluster_id, name: row.cluster_name ?? row.cluster_id } : null,
  autoscaling: row.autoscaling === null ? null : (JSON.parse(row.autoscaling) as StageAutoscaling),
  memoryLimitMb: row.memory_limit_mb,
  payloadLogging: stagePayloadLogging(row.payload_logging === null ? null : (JSON.parse(row.payload_logging) as PayloadLogging)),
  drift: stageDrift(row.drift === null ? null : (JSON.parse(row.drift) as DriftSettings)),
  state: row.state,
  stateReason: row.state_reason,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const STAGE_SELECT = `SELECT s.*, m.name AS model_name, m.version AS model_version, m.framework, m.artifact_path,
    c.name AS cluster_name
  FROM endpoint_stages s JOIN models m ON m.id = s.model_id LEFT JOIN clusters c ON c.id = s.cluster_id`;

export type NewStage = Pick<StageRecord, 'name' | 'description' | 'instanceCount' | 'resourcePath' | 'python' | 'autoscaling'> & {
  modelId: string;
  clusterId: string | null;
} & StageMonitoringInput;

/** The columns of what watches a stage: the JSON as given, the defaults filled on reading. */
const monitoringColumns = (input: StageMonitoringInput) => ({
  memoryLimitMb: input.memoryLimitMb ?? null,
  payloadLogging: input.payloadLogging ? JSON.stringify(input.payloadLogging) : null,
  drift: input.drift ? JSON.stringify(input.drift) : null,
});

/**
 * Endpoints and their stages. Events are the endpoint service's to record: what it
 * announces includes the workers it runs, which only it knows.
 */
export class EndpointsRepository {
  private readonly byKey;
  private readonly byId;
  private readonly page;
  private readonly count;
  private readonly stagesOf;
  private readonly stageById;
  private readonly servingModel;
  private readonly onCluster;

  constructor(private readonly db: Database.Database) {
    this.byKey = db.prepare<{ key: string }, EndpointRow>('SELECT * FROM endpoints WHERE id = @key OR name = @key');
    this.byId = db.prepare<[string], { id: string }>('SELECT id FROM endpoints WHERE id = ?');
    this.page = db.prepare<[number, number], EndpointRow>(
      'SELECT * FROM endpoints ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?',
    );
    this.count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM endpoints');
    this.stagesOf = db.prepare<[string], StageRow>(`${STAGE_SELECT} WHERE s.endpoint_id = ? ORDER BY s.created_at, s.rowid`);
    this.stageById = db.prepare<[string], StageRow>(`${STAGE_SELECT} WHERE s.id = ?`);
    this.servingModel = db.prepare<[string], { endpoint: string; stage: string; state: StageState }>(
      `SELECT e.name AS endpoint, s.name AS stage, s.state AS state FROM endpoint_stages s JOIN endpoints e ON e.id = s.endpoint_id
       WHERE s.model_id = ? ORDER BY e.name, s.name`,
    );
    this.onCluster = db.prepare<[string], { endpoint: string; stage: string }>(
      `SELECT e.name AS endpoint, s.name AS stage FROM endpoint_stages s JOIN endpoints e ON e.id = s.endpoint_id
       WHERE s.cluster_id = ? ORDER BY e.name, s.name`,
    );
  }

  /** "iris-api/blue": the stages that run on a cluster. */
  stagesOnCluster(clusterId: string): { endpoint: string; stage: string }[] {
    return this.onCluster.all(clusterId);
  }

  get(key: string): EndpointRecord | undefined {
    const row = this.byKey.get({ key });
    return row && toEndpoint(row);
  }

  /** Whether the endpoint of this id is still there (the payload log's thread asks, each batch). */
  exists(id: string): boolean {
    return this.byId.get(id) !== undefined;
  }

  all(): EndpointRecord[] {
    return this.page.all(-1, 0).map(toEndpoint);
  }

  list(limit: number, offset: number): { items: EndpointRecord[]; total: number } {
    return { items: this.page.all(limit, offset).map(toEndpoint), total: this.total() };
  }

  total(): number {
    return this.count.get()?.n ?? 0;
  }

  stages(endpointId: string): StageRecord[] {
    return this.stagesOf.all(endpointId).map(toStage);
  }

  stage(id: string): StageRecord | undefined {
    const row = this.stageById.get(id);
    return row && toStage(row);
  }

  /** "iris-api/default": the stages that serve a model version. */
  stagesServing(modelId: string): { endpoint: string; stage: string; state: StageState }[] {
    return this.servingModel.all(modelId);
  }

  insert(input: Pick<EndpointRecord, 'name' | 'description' | 'apiKeyHash' | 'tags'>): EndpointRecord {
    const time = now();
    const id = newId();
    this.db
      .prepare(
        `INSERT INTO endpoints (id, name, description, state, api_key_hash, tags, created_at, updated_at)
         VALUES (?, ?, ?, 'CREATE REQUESTED', ?, ?, ?, ?)`,
      )
      .run(id, input.name, input.description, input.apiKeyHash, JSON.stringify(input.tags), time, time);
    return this.get(id) as EndpointRecord;
  }

  update(
    id: string,
    changes: Partial<Pick<EndpointRecord, 'description' | 'tags' | 'state' | 'stateReason' | 'defaultStageId' | 'apiKeyHash'>>,
  ): EndpointRecord {
    const current = this.get(id);
    if (!current) throw new Error(`endpoint ${id} vanished`);
    const next = { ...current, ...changes, updatedAt: now() };
    this.db
      .prepare(
        `UPDATE endpoints SET description = @description, tags = @tags, state = @state, state_reason = @stateReason,
           default_stage_id = @defaultStageId, api_key_hash = @apiKeyHash, updated_at = @updatedAt WHERE id = @id`,
      )
      .run({ ...next, tags: JSON.stringify(next.tags) });
    return next;
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM endpoints WHERE id = ?').run(id);
  }

  insertStage(endpointId: string, input: NewStage): StageRecord {
    const time = now();
    const id = newId();
    this.db
      .prepare(
        `INSERT INTO endpoint_stages (id, endpoint_id, name, description, model_id, instance_count, resource_path, python,
           cluster_id, autoscaling, memory_limit_mb, payload_logging, drift, state, created_at, updated_at)
         VALUES (@id, @endpointId, @name, @description, @modelId, @instanceCount, @resourcePath, @python,
           @clusterId, @autoscaling, @memoryLimitMb, @payloadLogging, @drift, 'CREATE REQUESTED', @time, @time)`,
      )
      .run({
        ...input,
        autoscaling: input.autoscaling ? JSON.stringify(input.autoscaling) : null,
        ...monitoringColumns(input),
        id,
        endpointId,
        time,
      });
    return this.stage(id) as StageRecord;
  }

  updateStage(id: string, changes: Pick<StageRecord, 'state' | 'stateReason'>): StageRecord {
    this.db
      .prepare('UPDATE endpoint_stages SET state = ?, state_reason = ?, updated_at = ? WHERE id = ?')
      .run(changes.state, changes.stateReason, now(), id);
    const stage = this.stage(id);
    if (!stage) throw new Error(`stage ${id} vanished`);
    return stage;
  }

  /**
   * A stage's description and what watches it, the fields given replacing the stored ones
   * (a null turns a setting off); its state and workers are left as they are.
   */
  updateStageSettings(id: string, changes: { description?: string } & StageMonitoringInput): StageRecord {
    const current = this.db
      .prepare<[string], Pick<StageRow, 'description' | 'memory_limit_mb' | 'payload_logging' | 'drift'>>(
        'SELECT description, memory_limit_mb, payload_logging, drift FROM endpoint_stages WHERE id = ?',
      )
      .get(id);
    if (!current) throw new Error(`stage ${id} vanished`);
    const next = {
      description: changes.description ?? current.description,
      memoryLimitMb: changes.memoryLimitMb === undefined ? current.memory_limit_mb : changes.memoryLimitMb,
      payloadLogging:
        changes.payloadLogging === undefined
          ? current.payload_logging
          : changes.payloadLogging && JSON.stringify(changes.payloadLogging),
      drift: changes.drift === undefined ? current.drift : changes.drift && JSON.stringify(changes.drift),
    };
    this.db
      .prepare(
        `UPDATE endpoint_stages SET description = @description, memory_limit_mb = @memoryLimitMb,
           payload_logging = @payloadLogging, drift = @drift, updated_at = @updatedAt WHERE id = @id`,
      )
      .run({ ...next, updatedAt: now(), id });
    return this.stage(id) as StageRecord;
  }

  deleteStage(id: string): void {
    this.db.prepare('DELETE FROM endpoint_stages WHERE id = ?').run(id);
  }
}
