import type { MetricSummary, Model, ModelFramework } from '@emkit/shared';
import type Database from 'better-sqlite3';
import type { EventLog } from './events.js';
import { newId, now } from './rows.js';

interface ModelRow {
  id: string;
  name: string;
  version: number;
  description: string;
  framework: ModelFramework;
  framework_version: string | null;
  artifact_path: string;
  files: number;
  bytes: number;
  tags: string;
  training_id: string | null;
  training_name: string | null;
  experiment_id: string | null;
  experiment_name: string | null;
  source_path: string | null;
  hyperparameters: string;
  metrics: string;
  aliases: string | null;
  active: number;
  created_at: string;
  updated_at: string;
}

const toModel = (row: ModelRow): Model => ({
  id: row.id,
  name: row.name,
  version: row.version,
  description: row.description,
  framework: row.framework,
  frameworkVersion: row.framework_version,
  artifactPath: row.artifact_path,
  files: row.files,
  bytes: row.bytes,
  aliases: row.aliases ? row.aliases.split(',').sort() : [],
  tags: JSON.parse(row.tags) as Record<string, string>,
  source: {
    training: row.training_id && row.training_name ? { id: row.training_id, name: row.training_name } : null,
    experiment: row.experiment_id && row.experiment_name ? { id: row.experiment_id, name: row.experiment_name } : null,
    path: row.source_path,
  },
  hyperparameters: JSON.parse(row.hyperparameters) as Record<string, string>,
  metrics: JSON.parse(row.metrics) as Record<string, MetricSummary>,
  state: row.active ? 'ACTIVE' : 'INACTIVE',
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const SELECT = `SELECT m.*, t.name AS training_name, e.id AS experiment_id, e.name AS experiment_name,
    (SELECT group_concat(a.alias) FROM model_aliases a WHERE a.model_id = m.id) AS aliases
  FROM models m LEFT JOIN trainings t ON t.id = m.training_id LEFT JOIN experiments e ON e.id = t.experiment_id`;

export type NewModel = Pick<
  Model,
  | 'name'
  | 'description'
  | 'framework'
  | 'frameworkVersion'
  | 'artifactPath'
  | 'files'
  | 'bytes'
  | 'tags'
  | 'hyperparameters'
  | 'metrics'
> & { id: string; trainingId: string | null; sourcePath: string | null };

/** Model versions, their aliases, and what they came from. */
export class ModelsRepository {
  private readonly byId;
  private readonly byVersion;
  private readonly latest;
  private readonly byAlias;
  private readonly page;
  private readonly count;
  private readonly nextVersion;
  private readonly fromTraining;
  private readonly activeOldestFirst;

  constructor(
    private readonly db: Database.Database,
    private readonly events: EventLog,
  ) {
    this.byId = db.prepare<[string], ModelRow>(`${SELECT} WHERE m.id = ?`);
    this.byVersion = db.prepare<[string, number], ModelRow>(`${SELECT} WHERE m.name = ? AND m.version = ?`);
    this.latest = db.prepare<[string], ModelRow>(`${SELECT} WHERE m.name = ? ORDER BY m.version DESC LIMIT 1`);
    this.byAlias = db.prepare<[string, string], ModelRow>(
      `${SELECT} WHERE m.id = (SELECT model_id FROM model_aliases WHERE name = ? AND alias = ?)`,
    );
    this.page = db.prepare<{ name: string | null; limit: number; offset: number }, ModelRow>(
      `${SELECT} WHERE (@name IS NULL OR m.name = @name) ORDER BY m.created_at DESC, m.rowid DESC LIMIT @limit OFFSET @offset`,
    );
    this.count = db.prepare<{ name: string | null }, { n: number }>(
      'SELECT count(*) AS n FROM models WHERE (@name IS NULL OR name = @name)',
    );
    this.nextVersion = db.prepare<[string], { v: number }>(
      'SELECT coalesce(max(version), 0) + 1 AS v FROM models WHERE name = ?',
    );
    this.fromTraining = db.prepare<[string], { name: string; version: number }>(
      'SELECT name, version FROM models WHERE training_id = ? ORDER BY name, version',
    );
    this.activeOldestFirst = db.prepare<[], { name: string; version: number }>(
      'SELECT name, version FROM models WHERE active = 1 ORDER BY created_at, rowid',
    );
  }

  /** `id`, `name` (newest version), `name:3` or `name@alias`. */
  find(ref: string): Model | undefined {
    const row =
      this.byId.get(ref) ??
      (() => {
        const at = ref.indexOf('@');
        if (at > 0) return this.byAlias.get(ref.slice(0, at), ref.slice(at + 1));
        const colon = ref.lastIndexOf(':');
        if (colon > 0 && /^\d+$/.test(ref.slice(colon + 1)))
          return this.byVersion.get(ref.slice(0, colon), Number(ref.slice(colon + 1)));
        return this.latest.get(ref);
      })();
    return row && toModel(row);
  }

  list(filter: { name?: string; limit: number; offset: number }): { items: Model[]; total: number } {
    const name = filter.name ?? null;
    return {
      items: this.page.all({ name, limit: filter.limit, offset: filter.offset }).map(toModel),
      total: this.count.get({ name })?.n ?? 0,
    };
  }

  total(): number {
    return this.count.get({ name: null })?.n ?? 0;
  }

  /** "churn:1, churn:2": the versions made from a training. */
  versionsFromTraining(trainingId: string): string[] {
    return this.fromTraining.all(trainingId).map((m) => `${m.name}:${m.version}`);
  }

  /** "churn:1", "iris:2", …: every ACTIVE version, the oldest first (what the active-model cap names). */
  activeVersions(): string[] {
    return this.activeOldestFirst.all().map((m) => `${m.name}:${m.version}`);
  }

  /** Trainings other than `exceptModel` that a model version was made from: a training another version came from stays. */
  otherVersionsFromTraining(trainingId: string, exceptModel: string): number {
    const row = this.db
      .prepare<[string, string], { n: number }>('SELECT count(*) AS n FROM models WHERE training_id = ? AND id <> ?')
      .get(trainingId, exceptModel);
    return row?.n ?? 0;
  }

  newId(): string {
    return newId();
  }

  /** Call inside a transaction: the version number is taken there, so two creates can't get the same one. */
  insert(input: NewModel, aliases: readonly string[]): Model {
    const time = now();
    const version = this.nextVersion.get(input.name)?.v ?? 1;
    this.db
      .prepare(
        `INSERT INTO models (id, name, version, description, framework, framework_version, artifact_path, files, bytes, tags,
           training_id, source_path, hyperparameters, metrics, created_at, updated_at)
         VALUES (@id, @name, @version, @description, @framework, @frameworkVersion, @artifactPath, @files, @bytes, @tags,
           @trainingId, @sourcePath, @hyperparameters, @metrics, @time, @time)`,
      )
      .run({
        ...input,
        version,
        tags: JSON.stringify(input.tags),
        hyperparameters: JSON.stringify(input.hyperparameters),
        metrics: JSON.stringify(input.metrics),
        time,
      });
    for (const alias of aliases) this.setAlias(input.name, alias, input.id);
    const model = this.find(input.id) as Model;
    this.events.record('models', 'created', model.id, model);
    return model;
  }

  /** Moves the alias: whichever version of the name had it loses it. */
  promote(model: Model, alias: string): Model {
    const previous = this.byAlias.get(model.name, alias);
    this.setAlias(model.name, alias, model.id);
    if (previous && previous.id !== model.id)
      this.events.record('models', 'updated', previous.id, this.find(previous.id) as Model);
    return this.touch(model.id);
  }

  update(model: Model, changes: { description?: string; tags?: Record<string, string>; active?: boolean }): Model {
    const active = changes.active ?? model.state === 'ACTIVE';
    this.db
      .prepare('UPDATE models SET description = ?, tags = ?, active = ? WHERE id = ?')
      .run(changes.description ?? model.description, JSON.stringify(changes.tags ?? model.tags), active ? 1 : 0, model.id);
    return this.touch(model.id);
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM models WHERE id = ?').run(id);
    this.events.record('models', 'deleted', id, null);
  }

  private setAlias(name: string, alias: string, modelId: string): void {
    this.db
      .prepare(
        `INSERT INTO model_aliases (name, alias, model_id) VALUES (?, ?, ?)
         ON CONFLICT (name, alias) DO UPDATE SET model_id = excluded.model_id`,
      )
      .run(name, alias, modelId);
  }

  private touch(id: string): Model {
    this.db.prepare('UPDATE models SET updated_at = ? WHERE id = ?').run(now(), id);
    const model = this.find(id) as Model;
    this.events.record('models', 'updated', id, model);
    return model;
  }
}
