import type { EmkitClient } from './api/client.js';
import { ApiError } from './api/errors.js';
import type { AlertEvent, AlertRule } from './schemas/alerts.js';
import type { BatchInference } from './schemas/batch-inferences.js';
import type { Cluster } from './schemas/clusters.js';
import type { Dataset } from './schemas/datasets.js';
import type { Endpoint } from './schemas/endpoints.js';
import type { Environment } from './schemas/environments.js';
import type { EvaluationSummary } from './schemas/evaluations.js';
import type { ResourceEvent } from './schemas/events.js';
import type { Experiment } from './schemas/experiments.js';
import type { Model } from './schemas/models.js';
import type { Recipe } from './schemas/recipes.js';
import type { Schedule } from './schemas/schedules.js';
import type { Training } from './schemas/trainings.js';
import type { Tuning } from './schemas/tunings.js';

/** The resources the editors list, by the route names they come from. */
export interface Resources {
  environments: readonly Environment[];
  experiments: readonly Experiment[];
  trainings: readonly Training[];
  models: readonly Model[];
  evaluations: readonly EvaluationSummary[];
  endpoints: readonly Endpoint[];
  clusters: readonly Cluster[];
  datasets: readonly Dataset[];
  /** the six built-ins first, then the saved ones, as the bridge lists them */
  recipes: readonly Recipe[];
  'batch-inferences': readonly BatchInference[];
  schedules: readonly Schedule[];
  /** alert rules with their state, by name */
  alerts: readonly AlertRule[];
  tunings: readonly Tuning[];
}
export type ResourceKind = keyof Resources;
type AnyResource = Resources[ResourceKind][number];

const KINDS: readonly ResourceKind[] = [
  'environments',
  'experiments',
  'trainings',
  'models',
  'evaluations',
  'endpoints',
  'clusters',
  'datasets',
  'recipes',
  'batch-inferences',
  'schedules',
  'alerts',
  'tunings',
];
const isKind = (resource: string): resource is ResourceKind => (KINDS as readonly string[]).includes(resource);

/** The alert events a store keeps: enough for each rule's recent history in a sidebar. */
export const ALERT_EVENTS_KEPT = 200;

export type LoadState = { kind: 'empty' } | { kind: 'loading' } | { kind: 'loaded' } | { kind: 'failed'; message: string };

/**
 * The bridge's resources as of the last list load plus every event since: the list routes
 * once per (re)connection, then the event stream alone, never polling. Events that arrive
 * while a load is under way are held and applied after it, and an upsert never replaces a
 * newer copy, so an event and a list answer crossing each other can't bring back an old
 * state or a deleted resource. Both editors keep one; each wraps `onChange` in its own
 * signal type (Lumino's Signal, vscode.EventEmitter).
 */
export class ResourceStore {
  private items: { [K in ResourceKind]: Map<string, Resources[K][number]> } = {
    environments: new Map(),
    experiments: new Map(),
    trainings: new Map(),
    models: new Map(),
    evaluations: new Map(),
    endpoints: new Map(),
    clusters: new Map(),
    datasets: new Map(),
    recipes: new Map(),
    'batch-inferences': new Map(),
    schedules: new Map(),
    alerts: new Map(),
    tunings: new Map(),
  };
  /** the rules' firing and resolving, oldest first, at most ALERT_EVENTS_KEPT */
  private alertEvents: AlertEvent[] = [];
  private held: ResourceEvent[] | null = null;
  private loads = 0;
  private _state: LoadState = { kind: 'empty' };
  private _snapshot: Resources | null = null;
  private readonly listeners = new Set<(changed: ResourceKind | null) => void>();

  /**
   * Called after every change of the lists or the load state, with the kind that changed (null:
   * the load state, so every kind); returns the unsubscribe.
   */
  onChange(listener: (changed: ResourceKind | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get state(): LoadState {
    return this._state;
  }

  /** Newest first, as the list routes answer; models by name, then newest version first. */
  get snapshot(): Resources {
    if (!this._snapshot) {
      const newest = <T extends { createdAt: string }>(map: Map<string, T>) =>
        [...map.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      this._snapshot = {
        environments: newest(this.items.environments),
        experiments: newest(this.items.experiments),
        trainings: newest(this.items.trainings),
        models: [...this.items.models.values()].sort((a, b) => a.name.localeCompare(b.name) || b.version - a.version),
        evaluations: newest(this.items.evaluations),
        endpoints: newest(this.items.endpoints),
        // by name: a list of places to run reads best in a fixed order
        clusters: [...this.items.clusters.values()].sort((a, b) => a.name.localeCompare(b.name)),
        datasets: [...this.items.datasets.values()].sort((a, b) => a.name.localeCompare(b.name)),
        // the bridge's order: built-ins first, in their fixed order, then saved ones
        recipes: [...this.items.recipes.values()],
        'batch-inferences': newest(this.items['batch-inferences']),
        schedules: [...this.items.schedules.values()].sort((a, b) => a.name.localeCompare(b.name)),
        alerts: [...this.items.alerts.values()].sort((a, b) => a.name.localeCompare(b.name)),
        tunings: newest(this.items.tunings),
      };
    }
    return this._snapshot;
  }

  list<K extends ResourceKind>(kind: K): Resources[K] {
    return this.snapshot[kind];
  }

  /** Find by id or by name (a model: `name:version`). */
  find<K extends ResourceKind>(kind: K, idOrName: string): Resources[K][number] | undefined {
    const byId = this.items[kind].get(idOrName) as Resources[K][number] | undefined;
    if (byId) return byId;
    return (this.snapshot[kind] as readonly Resources[K][number][]).find((item) => displayName(kind, item) === idOrName);
  }

  async load(client: EmkitClient): Promise<void> {
    const load = ++this.loads;
    this.held ??= [];
    this.setState({ kind: 'loading' });
    const query = { limit: 1000 };
    try {
      // a bridge from before clusters, datasets, recipes, batch scoring or schedules has no such route: none, rather than no lists at all
      const absentIsEmpty = (error: unknown) => {
        if (error instanceof ApiError && error.status === 404) return { items: [], total: 0 };
        throw error;
      };
      const lists = await Promise.all([
        client.api.listEnvironments({ query }),
        client.api.listExperiments({ query }),
        client.api.listTrainings({ query }),
        client.api.listModels({ query }),
        client.api.listEvaluations({ query }),
        client.api.listEndpoints({ query }),
        client.api.listClusters({ query }).catch(absentIsEmpty),
        client.api.listDatasets({ query }).catch(absentIsEmpty),
        client.api.listRecipes({ query }).catch(absentIsEmpty),
        client.api.listBatchInferences({ query }).catch(absentIsEmpty),
        client.api.listSchedules({ query }).catch(absentIsEmpty),
        client.api.listAlertRules({ query }).catch(absentIsEmpty),
        client.api.listTunings({ query }).catch(absentIsEmpty),
      ]);
      const events = await client.api
        .listAlertEvents({ query: { limit: ALERT_EVENTS_KEPT } })
        .catch(absentIsEmpty as (error: unknown) => { items: AlertEvent[] });
      if (load !== this.loads) return;
      KINDS.forEach((kind, i) => {
        this.items[kind] = new Map(((lists[i]?.items ?? []) as AnyResource[]).map((item) => [item.id, item])) as never;
      });
      this.alertEvents = [...events.items];
      const held = this.held ?? [];
      this.held = null;
      for (const event of held) this.applyNow(event);
      this._snapshot = null;
      this.setState({ kind: 'loaded' });
    } catch (error) {
      if (load !== this.loads) return;
      this.held = null;
      this.setState({ kind: 'failed', message: (error as Error).message });
    }
  }

  /**
   * Reads the recipes again, for an editor that must show its own save at once (the event
   * stream brings it too, and an older bridge sends no recipe events).
   */
  async reloadRecipes(client: EmkitClient): Promise<void> {
    const list = await client.api.listRecipes({ query: { limit: 1000 } });
    this.items.recipes = new Map(list.items.map((recipe) => [recipe.id, recipe]));
    this._snapshot = null;
    this.emit('recipes');
  }

  /** The bridge went away: say so instead of showing what may be stale. */
  fail(message: string): void {
    this.loads++;
    this.held = null;
    this.setState({ kind: 'failed', message });
  }

  /** A rule's (or every rule's) firing and resolving, newest first. */
  recentAlertEvents(ruleId?: string, limit = 10): AlertEvent[] {
    const events: AlertEvent[] = [];
    for (let i = this.alertEvents.length - 1; i >= 0 && events.length < limit; i--) {
      const event = this.alertEvents[i] as AlertEvent;
      if (ruleId === undefined || event.ruleId === ruleId) events.push(event);
    }
    return events;
  }

  apply(event: ResourceEvent): void {
    if (!isKind(event.resource)) return;
    if (this.held) {
      this.held.push(event);
      return;
    }
    if (this.applyNow(event)) {
      this._snapshot = null;
      this.emit(event.resource);
    }
  }

  private applyNow(event: ResourceEvent): boolean {
    if (!isKind(event.resource)) return false;
    const map = this.items[event.resource] as Map<string, AnyResource>;
    switch (event.action) {
      case 'deleted':
        return map.delete(event.id);
      case 'created':
      case 'updated':
      case 'finished': {
        const next = event.data as unknown as AnyResource | null;
        if (!next) return false;
        const current = map.get(event.id);
        if (current && updatedAt(current) > updatedAt(next)) return false;
        map.set(event.id, next);
        return true;
      }
      case 'alert':
        return this.applyAlert(event.data as unknown as AlertEvent | null);
      default:
        // metrics, stats and usage are the detail views' business, not the lists'
        return false;
    }
  }

  /** A rule fired or resolved: its history grows and its row says so at once (its own update may follow). */
  private applyAlert(alert: AlertEvent | null): boolean {
    if (!alert || this.alertEvents.some((e) => e.seq === alert.seq)) return false;
    this.alertEvents.push(alert);
    this.alertEvents.sort((a, b) => a.seq - b.seq);
    if (this.alertEvents.length > ALERT_EVENTS_KEPT) this.alertEvents.splice(0, this.alertEvents.length - ALERT_EVENTS_KEPT);
    const rule = this.items.alerts.get(alert.ruleId);
    if (rule && rule.evaluatedAt !== null && rule.evaluatedAt > alert.time) return true;
    if (rule)
      this.items.alerts.set(rule.id, {
        ...rule,
        state: alert.kind === 'FIRING' ? 'FIRING' : 'OK',
        value: alert.value,
        evaluatedAt: alert.time,
      });
    return true;
  }

  private setState(state: LoadState): void {
    this._state = state;
    this.emit(null);
  }

  private emit(changed: ResourceKind | null): void {
    for (const listener of this.listeners) listener(changed);
  }
}

/** A recipe has no updatedAt (a built-in never changes, a saved one is replaced whole), nor a batch job (its events come in order). */
const updatedAt = (item: AnyResource): string => ('updatedAt' in item ? item.updatedAt : '');

/** The name a person knows a resource by: a model version is `name:version`; an evaluation has only its id. */
export function displayName(kind: ResourceKind, item: { id: string; name?: string }): string {
  if (kind === 'evaluations' || item.name === undefined) return item.id;
  return kind === 'models' ? `${item.name}:${(item as Model).version}` : item.name;
}
