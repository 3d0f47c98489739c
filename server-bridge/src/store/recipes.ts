import type { Recipe, RecipeDataset, RecipeParameter } from '@emkit/shared';
import type Database from 'better-sqlite3';
import type { EventLog } from './events.js';
import { BY_ID_OR_NAME, newId, now } from './rows.js';

interface RecipeRow {
  id: string;
  name: string;
  description: string;
  datasets: string;
  parameters: string;
  entry_point: string;
  environment_id: string | null;
  environment_name: string | null;
  source_training_id: string;
  source_training_name: string;
  dir: string;
  created_at: string;
}

/** A user recipe as stored: the API's shape plus what only the bridge needs. */
export interface RecipeRecord extends Recipe {
  environmentId: string | null;
  /** `<home>/recipes/<name>`: its `source/` is the snapshot trainings of it start from */
  dir: string;
}

const toRecord = (row: RecipeRow): RecipeRecord => ({
  id: row.id,
  name: row.name,
  builtin: false,
  modelType: null,
  task: null,
  description: row.description,
  datasets: JSON.parse(row.datasets) as RecipeDataset[],
  parameters: JSON.parse(row.parameters) as RecipeParameter[],
  entryPoint: row.entry_point,
  environment: row.environment_name,
  environmentId: row.environment_id,
  source: { training: row.source_training_id, trainingName: row.source_training_name },
  dir: row.dir,
  createdAt: row.created_at,
});

/** The API's view: the bridge-only fields left out. */
export function publicRecipe(record: RecipeRecord): Recipe {
  const { environmentId: _environmentId, dir: _dir, ...recipe } = record;
  return recipe;
}

export type NewRecipe = Omit<RecipeRecord, 'builtin' | 'modelType' | 'task' | 'source' | 'createdAt'> & {
  sourceTraining: { id: string; name: string };
};

/** User recipes (the six built-ins are code: shared/src/recipes/builtins.ts). */
export class RecipesRepository {
  private readonly byKey;
  private readonly page;
  private readonly count;
  private readonly insertRow;
  private readonly deleteRow;

  constructor(
    db: Database.Database,
    private readonly events: EventLog,
  ) {
    this.byKey = db.prepare<{ key: string }, RecipeRow>(`SELECT * FROM recipes WHERE ${BY_ID_OR_NAME}`);
    this.page = db.prepare<[number, number], RecipeRow>('SELECT * FROM recipes ORDER BY created_at, rowid LIMIT ? OFFSET ?');
    this.count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM recipes');
    this.insertRow = db.prepare(
      `INSERT INTO recipes (id, name, description, datasets, parameters, entry_point, environment_id, environment_name,
         source_training_id, source_training_name, dir, created_at)
       VALUES (@id, @name, @description, @datasets, @parameters, @entryPoint, @environmentId, @environment,
         @sourceTrainingId, @sourceTrainingName, @dir, @createdAt)`,
    );
    this.deleteRow = db.prepare('DELETE FROM recipes WHERE id = ?');
  }

  get(key: string): RecipeRecord | undefined {
    const row = this.byKey.get({ key });
    return row && toRecord(row);
  }

  /** Oldest first, so a page stays put as recipes are added. */
  list(limit: number, offset: number): { items: RecipeRecord[]; total: number } {
    return { items: this.page.all(limit, offset).map(toRecord), total: this.total() };
  }

  total(): number {
    return this.count.get()?.n ?? 0;
  }

  /** Throws SQLITE_CONSTRAINT_UNIQUE when the name is taken. */
  insert(input: NewRecipe): RecipeRecord {
    this.insertRow.run({
      id: input.id,
      name: input.name,
      description: input.description,
      datasets: JSON.stringify(input.datasets),
      parameters: JSON.stringify(input.parameters),
      entryPoint: input.entryPoint,
      environmentId: input.environmentId,
      environment: input.environment,
      sourceTrainingId: input.sourceTraining.id,
      sourceTrainingName: input.sourceTraining.name,
      dir: input.dir,
      createdAt: now(),
    });
    const recipe = this.get(input.id);
    if (!recipe) throw new Error(`recipe ${input.id} vanished`);
    // the editors' recipe lists follow the event stream, a recipe saved from the CLI included
    this.events.record('recipes', 'created', recipe.id, publicRecipe(recipe));
    return recipe;
  }

  delete(id: string): void {
    if (this.deleteRow.run(id).changes) this.events.record('recipes', 'deleted', id, null);
  }

  newId(): string {
    return newId();
  }
}
