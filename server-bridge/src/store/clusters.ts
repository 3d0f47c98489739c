import type { Cluster, ClusterNode, ClusterState, LocalClusterSpec } from '@emkit/shared';
import type Database from 'better-sqlite3';
import type { EventLog } from './events.js';
import { BY_ID_OR_NAME, newId, now } from './rows.js';

/** What the bridge started for a local cluster: one `ray start --block` (in its watcher) per node. */
export interface LocalProcesses {
  /** the short folder the nodes' --temp-dir are in */
  tempDir: string;
  /** the watcher of each node, head first: each leads its node's process group */
  pids: number[];
}

interface ClusterRow {
  id: string;
  name: string;
  kind: 'ray';
  address: string;
  has_token: number;
  serve_address: string | null;
  is_default: number;
  local: string | null;
  processes: string | null;
  state: ClusterState;
  state_reason: string | null;
  ray_version: string | null;
  nodes: string;
  checked_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ClusterRecord extends Cluster {
  processes: LocalProcesses | null;
}

const toRecord = (row: ClusterRow): ClusterRecord => ({
  id: row.id,
  name: row.name,
  kind: row.kind,
  address: row.address,
  hasToken: row.has_token === 1,
  serveAddress: row.serve_address,
  isDefault: row.is_default === 1,
  local: row.local === null ? null : (JSON.parse(row.local) as LocalClusterSpec),
  processes: row.processes === null ? null : (JSON.parse(row.processes) as LocalProcesses),
  state: row.state,
  stateReason: row.state_reason,
  rayVersion: row.ray_version,
  nodes: JSON.parse(row.nodes) as ClusterNode[],
  checkedAt: row.checked_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export function publicCluster(record: ClusterRecord): Cluster {
  const { processes: _processes, ...cluster } = record;
  return cluster;
}

export type ClusterChanges = Partial<
  Pick<
    ClusterRecord,
    'state' | 'stateReason' | 'rayVersion' | 'nodes' | 'checkedAt' | 'processes' | 'address' | 'hasToken' | 'serveAddress'
  >
>;

export class ClustersRepository {
  private readonly byKey;
  private readonly page;
  private readonly count;
  private readonly all;

  constructor(
    private readonly db: Database.Database,
    private readonly events: EventLog,
  ) {
    this.byKey = db.prepare<{ key: string }, ClusterRow>(`SELECT * FROM clusters WHERE ${BY_ID_OR_NAME}`);
    this.page = db.prepare<[number, number], ClusterRow>(
      'SELECT * FROM clusters ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?',
    );
    this.count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM clusters');
    this.all = db.prepare<[], ClusterRow>('SELECT * FROM clusters ORDER BY created_at, rowid');
  }

  get(key: string): ClusterRecord | undefined {
    const row = this.byKey.get({ key });
    return row && toRecord(row);
  }

  list(limit: number, offset: number): { items: ClusterRecord[]; total: number } {
    return { items: this.page.all(limit, offset).map(toRecord), total: this.count.get()?.n ?? 0 };
  }

  every(): ClusterRecord[] {
    return this.all.all().map(toRecord);
  }

  total(): number {
    return this.count.get()?.n ?? 0;
  }

  /** Throws SQLITE_CONSTRAINT_UNIQUE when the name is taken. */
  insert(
    input: Pick<ClusterRecord, 'name' | 'address' | 'hasToken' | 'local' | 'state' | 'serveAddress'> & { id?: string },
  ): ClusterRecord {
    const time = now();
    const id = input.id ?? newId();
    this.db
      .prepare(
        `INSERT INTO clusters (id, name, kind, address, has_token, serve_address, local, state, created_at, updated_at)
         VALUES (?, ?, 'ray', ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        input.name,
        input.address,
        input.hasToken ? 1 : 0,
        input.serveAddress,
        input.local ? JSON.stringify(input.local) : null,
        input.state,
        time,
        time,
      );
    const stored = this.get(id) as ClusterRecord;
    this.events.record('clusters', 'created', id, publicCluster(stored));
    return stored;
  }

  update(id: string, changes: ClusterChanges): ClusterRecord {
    const current = this.get(id);
    if (!current) throw new Error(`cluster ${id} vanished`);
    const next: ClusterRecord = { ...current, ...changes, updatedAt: now() };
    this.db
      .prepare(
        `UPDATE clusters SET address = @address, has_token = @hasToken, serve_address = @serveAddress, processes = @processes, state = @state,
           state_reason = @stateReason, ray_version = @rayVersion, nodes = @nodes, checked_at = @checkedAt,
           updated_at = @updatedAt WHERE id = @id`,
      )
      .run({
        ...next,
        hasToken: next.hasToken ? 1 : 0,
        processes: next.processes ? JSON.stringify(next.processes) : null,
        nodes: JSON.stringify(next.nodes),
      });
    this.events.record('clusters', 'updated', id, publicCluster(next));
    return next;
  }

  /** Make `id` the default target, or (null) none: this machine. Events for each that changed. */
  setDefault(id: string | null): void {
    const before = this.every().filter((c) => c.isDefault);
    this.db.prepare('UPDATE clusters SET is_default = 0 WHERE is_default = 1').run();
    if (id !== null) this.db.prepare('UPDATE clusters SET is_default = 1, updated_at = ? WHERE id = ?').run(now(), id);
    for (const changed of new Set([...before.map((c) => c.id), ...(id === null ? [] : [id])])) {
      const record = this.get(changed);
      if (record) this.events.record('clusters', 'updated', changed, publicCluster(record));
    }
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM clusters WHERE id = ?').run(id);
    this.events.record('clusters', 'deleted', id, null);
  }
}
