import type { Dataset, DatasetMode, DatasetSchema, DatasetVersion } from '@emkit/shared';
import type Database from 'better-sqlite3';
import type { EventLog } from './events.js';
import { BY_ID_OR_NAME, newId, now } from './rows.js';

interface DatasetRow {
  id: string;
  name: string;
  description: string;
  mode: DatasetMode;
  source: string | null;
  created_at: string;
  updated_at: string;
}

interface VersionRow {
  dataset_id: string;
  version: number;
  sha256: string;
  fingerprint: string;
  bytes: number;
  files: number;
  path: string;
  schema: string;
  dir: string;
  created_at: string;
}

/** A version as stored: the wire's shape plus what only the bridge needs. */
export interface DatasetVersionRecord extends DatasetVersion {
  datasetId: string;
  fingerprint: string;
  /** `<home>/datasets/<name>/<version>` */
  dir: string;
}

export interface DatasetRecord extends Dataset {
  latest: DatasetVersionRecord;
}

export type NewDatasetVersion = Pick<
  DatasetVersionRecord,
  'sha256' | 'fingerprint' | 'bytes' | 'files' | 'path' | 'schema' | 'dir'
>;

const toVersion = (row: VersionRow, name: string): DatasetVersionRecord => ({
  dataset: name,
  datasetId: row.dataset_id,
  version: row.version,
  sha256: row.sha256,
  fingerprint: row.fingerprint,
  bytes: row.bytes,
  files: row.files,
  path: row.path,
  schema: JSON.parse(row.schema) as DatasetSchema,
  dir: row.dir,
  createdAt: row.created_at,
});

/** The wire's view of a version: the bridge-only fields left out. */
export function datasetVersionOf(record: DatasetVersionRecord): DatasetVersion {
  const { datasetId: _d, fingerprint: _f, dir: _dir, ...version } = record;
  return version;
}

export function datasetOf(record: DatasetRecord): Dataset {
  return { ...record, latest: datasetVersionOf(record.latest) };
}

const UNSETTLED_TRAININGS = `('CREATE REQUESTED', 'CREATE IN PROGRESS', 'RUNNING', 'STOP IN PROGRESS')`;
const UNSETTLED_EVALUATIONS = `('CREATE REQUESTED', 'RUNNING', 'STOP IN PROGRESS')`;

/** Datasets and their numbered versions; a version is never changed, only added or deleted with its dataset. */
export class DatasetsRepository {
  private readonly byKey;
  private readonly page;
  private readonly count;
  private readonly versionRow;
  private readonly latestRow;
  private readonly versionCount;
  private readonly versionPage;
  private readonly insertRow;
  private readonly insertVersion;
  private readonly touch;
  private readonly updateRow;
  private readonly deleteRow;
  private readonly runningTrainings;
  private readonly runningEvaluations;
  private readonly runningBatchInferences;

  constructor(
    private readonly db: Database.Database,
    private readonly events: EventLog,
  ) {
    this.byKey = db.prepare<{ key: string }, DatasetRow>(`SELECT * FROM datasets WHERE ${BY_ID_OR_NAME}`);
    this.page = db.prepare<[number, number], DatasetRow>(
      'SELECT * FROM datasets ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?',
    );
    this.count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM datasets');
    this.versionRow = db.prepare<[string, number], VersionRow>(
      'SELECT * FROM dataset_versions WHERE dataset_id = ? AND version = ?',
    );
    this.latestRow = db.prepare<[string], VersionRow>(
      'SELECT * FROM dataset_versions WHERE dataset_id = ? ORDER BY version DESC LIMIT 1',
    );
    this.versionCount = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM dataset_versions WHERE dataset_id = ?');
    this.versionPage = db.prepare<[string, number, number], VersionRow>(
      'SELECT * FROM dataset_versions WHERE dataset_id = ? ORDER BY version DESC LIMIT ? OFFSET ?',
    );
    this.insertRow = db.prepare(
      `INSERT INTO datasets (id, name, description, mode, source, created_at, updated_at)
       VALUES (@id, @name, @description, @mode, @source, @createdAt, @updatedAt)`,
    );
    this.insertVersion = db.prepare(
      `INSERT INTO dataset_versions (dataset_id, version, sha256, fingerprint, bytes, files, path, schema, dir, created_at)
       VALUES (@datasetId, @version, @sha256, @fingerprint, @bytes, @files, @path, @schema, @dir, @createdAt)`,
    );
    this.touch = db.prepare('UPDATE datasets SET updated_at = ? WHERE id = ?');
    this.updateRow = db.prepare('UPDATE datasets SET description = @description, updated_at = @updatedAt WHERE id = @id');
    this.deleteRow = db.prepare('DELETE FROM datasets WHERE id = ?');
    this.runningTrainings = db.prepare<[], { name: string; datasets: string }>(
      `SELECT name, datasets FROM trainings WHERE state IN ${UNSETTLED_TRAININGS}`,
    );
    this.runningEvaluations = db.prepare<[], { id: string; data_dataset: string }>(
      `SELECT id, data_dataset FROM evaluations WHERE state IN ${UNSETTLED_EVALUATIONS} AND data_dataset IS NOT NULL`,
    );
    // batch scoring jobs run through the evaluations' states
    this.runningBatchInferences = db.prepare<[], { name: string; input_dataset: string }>(
      `SELECT name, input_dataset FROM batch_inferences WHERE state IN ${UNSETTLED_EVALUATIONS} AND input_dataset IS NOT NULL`,
    );
  }

  private toRecord(row: DatasetRow): DatasetRecord {
    const latest = this.latestRow.get(row.id);
    if (!latest) throw new Error(`dataset ${row.name} has no version`);
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      mode: row.mode,
      source: row.source,
      latest: toVersion(latest, row.name),
      versions: this.versionCount.get(row.id)?.n ?? 0,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  get(key: string): DatasetRecord | undefined {
    const row = this.byKey.get({ key });
    return row && this.toRecord(row);
  }

  list(limit: number, offset: number): { items: DatasetRecord[]; total: number } {
    return { items: this.page.all(limit, offset).map((row) => this.toRecord(row)), total: this.count.get()?.n ?? 0 };
  }

  version(dataset: DatasetRecord, version: number): DatasetVersionRecord | undefined {
    const row = this.versionRow.get(dataset.id, version);
    return row && toVersion(row, dataset.name);
  }

  versions(dataset: DatasetRecord, limit: number, offset: number): { items: DatasetVersionRecord[]; total: number } {
    return {
      items: this.versionPage.all(dataset.id, limit, offset).map((row) => toVersion(row, dataset.name)),
      total: dataset.versions,
    };
  }

  /** A new dataset with its version 1. Throws SQLITE_CONSTRAINT_UNIQUE when the name is taken. */
  insert(
    input: { id?: string; name: string; description: string; mode: DatasetMode; source: string | null },
    first: NewDatasetVersion,
  ): DatasetRecord {
    const time = now();
    const id = input.id ?? newId();
    this.insertRow.run({ ...input, id, createdAt: time, updatedAt: time });
    this.insertVersion.run({ ...first, schema: JSON.stringify(first.schema), datasetId: id, version: 1, createdAt: time });
    const dataset = this.get(id) as DatasetRecord;
    this.events.record('datasets', 'created', id, datasetOf(dataset));
    return dataset;
  }

  /** The dataset's next version (its number: one past the newest). */
  addVersion(dataset: DatasetRecord, version: NewDatasetVersion & { version: number }): DatasetRecord {
    const time = now();
    this.insertVersion.run({ ...version, schema: JSON.stringify(version.schema), datasetId: dataset.id, createdAt: time });
    this.touch.run(time, dataset.id);
    const next = this.get(dataset.id) as DatasetRecord;
    this.events.record('datasets', 'updated', next.id, datasetOf(next));
    return next;
  }

  update(dataset: DatasetRecord, description: string): DatasetRecord {
    this.updateRow.run({ id: dataset.id, description, updatedAt: now() });
    const next = this.get(dataset.id) as DatasetRecord;
    this.events.record('datasets', 'updated', next.id, datasetOf(next));
    return next;
  }

  delete(id: string): void {
    this.deleteRow.run(id);
    this.events.record('datasets', 'deleted', id, null);
  }

  /**
   * Every training (any state, but `exceptTrainings`) and evaluation (of any model but `exceptModel`) that names the
   * dataset: what keeps an uploaded dataset when the model it trained is deleted with its sources.
   */
  users(name: string, except: { trainings: readonly string[]; model: string }): string[] {
    const ref = new RegExp(`^${name}:[0-9]+$`);
    const trainings = this.db
      .prepare<[], { id: string; name: string; datasets: string }>('SELECT id, name, datasets FROM trainings')
      .all()
      .filter((row) => !except.trainings.includes(row.id))
      .filter((row) => Object.values(JSON.parse(row.datasets) as Record<string, string>).some((value) => ref.test(value)))
      .map((row) => `training "${row.name}"`);
    const evaluations = this.db
      .prepare<[string], { id: string; data_dataset: string }>(
        'SELECT id, data_dataset FROM evaluations WHERE data_dataset IS NOT NULL AND model_id <> ?',
      )
      .all(except.model)
      .filter((row) => ref.test(row.data_dataset))
      .map((row) => `evaluation ${row.id}`);
    const batches = this.runningBatchInferences
      .all()
      .filter((row) => ref.test(row.input_dataset))
      .map((row) => `batch scoring ${row.name}`);
    return [...trainings, ...evaluations, ...batches];
  }

  /** What is reading the dataset now: unsettled trainings and evaluations that name it (`name:version`). */
  readers(name: string): string[] {
    const ref = new RegExp(`^${name}:[0-9]+$`);
    const trainings = this.runningTrainings
      .all()
      .filter((row) => Object.values(JSON.parse(row.datasets) as Record<string, string>).some((value) => ref.test(value)))
      .map((row) => `training "${row.name}"`);
    const evaluations = this.runningEvaluations
      .all()
      .filter((row) => ref.test(row.data_dataset))
      .map((row) => `evaluation ${row.id}`);
    const batches = this.runningBatchInferences
      .all()
      .filter((row) => ref.test(row.input_dataset))
      .map((row) => `batch scoring ${row.name}`);
    return [...trainings, ...evaluations, ...batches];
  }
}
