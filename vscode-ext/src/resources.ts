import type { EmkitClient, Endpoint, Environment, Experiment, Model, ResourceEvent, Training } from '@emkit/shared';
import * as vscode from 'vscode';

/** The resources the trees show, by the route names they come from. */
export interface Resources {
  environments: readonly Environment[];
  experiments: readonly Experiment[];
  trainings: readonly Training[];
  models: readonly Model[];
  endpoints: readonly Endpoint[];
}
export type ResourceKind = keyof Resources;
type AnyResource = Resources[ResourceKind][number];

const KINDS: readonly ResourceKind[] = ['environments', 'experiments', 'trainings', 'models', 'endpoints'];
const isKind = (resource: string): resource is ResourceKind => (KINDS as readonly string[]).includes(resource);

export type LoadState = { kind: 'loading' } | { kind: 'loaded' } | { kind: 'failed'; message: string };

// TODO(shared): the same store as jupyterlab-ext/src/resources.ts minus Lumino's Signal;
// it belongs in @emkit/shared with a plain listener, for both editors.
/**
 * The list routes once per (re)connection, then the event stream alone, never polling.
 * Events that arrive during a load are held and applied after it, and an upsert never
 * replaces a newer copy, so a list answer and an event crossing can't bring back an old state.
 */
export class ResourceStore implements vscode.Disposable {
  private items: { [K in ResourceKind]: Map<string, Resources[K][number]> } = {
    environments: new Map(),
    experiments: new Map(),
    trainings: new Map(),
    models: new Map(),
    endpoints: new Map(),
  };
  private held: ResourceEvent[] | null = null;
  private loads = 0;
  private _state: LoadState = { kind: 'loading' };
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;

  get state(): LoadState {
    return this._state;
  }

  /** Newest first; models by name, then newest version first. */
  list<K extends ResourceKind>(kind: K): Resources[K] {
    const values = [...this.items[kind].values()] as AnyResource[];
    if (kind === 'models')
      return (values as Model[]).sort((a, b) => a.name.localeCompare(b.name) || b.version - a.version) as never;
    return values.sort((a, b) => b.createdAt.localeCompare(a.createdAt)) as never;
  }

  async load(client: EmkitClient): Promise<void> {
    const load = ++this.loads;
    this.held ??= [];
    this.setState({ kind: 'loading' });
    const query = { limit: 1000 };
    try {
      const lists = await Promise.all([
        client.api.listEnvironments({ query }),
        client.api.listExperiments({ query }),
        client.api.listTrainings({ query }),
        client.api.listModels({ query }),
        client.api.listEndpoints({ query }),
      ]);
      if (load !== this.loads) return;
      KINDS.forEach((kind, i) => {
        this.items[kind] = new Map((lists[i]!.items as AnyResource[]).map((item) => [item.id, item])) as never;
      });
      const held = this.held ?? [];
      this.held = null;
      for (const event of held) this.applyNow(event);
      this.setState({ kind: 'loaded' });
    } catch (error) {
      if (load !== this.loads) return;
      this.held = null;
      this.setState({ kind: 'failed', message: (error as Error).message });
    }
  }

  /** The bridge went away: say so instead of showing what may be stale. */
  fail(message: string): void {
    this.loads++;
    this.held = null;
    this.setState({ kind: 'failed', message });
  }

  apply(event: ResourceEvent): void {
    if (!isKind(event.resource)) return;
    if (this.held) this.held.push(event);
    else if (this.applyNow(event)) this.emitter.fire();
  }

  dispose(): void {
    this.emitter.dispose();
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
        if (current && current.updatedAt > next.updatedAt) return false;
        map.set(event.id, next);
        return true;
      }
      default:
        // metrics and stats are the detail panels' business, not the lists'
        return false;
    }
  }

  private setState(state: LoadState): void {
    this._state = state;
    this.emitter.fire();
  }
}
