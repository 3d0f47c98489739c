import { type EndpointStats, EndpointStatsQuery } from '@emkit/shared';
import type { Store } from '../store/index.js';
import type { RoutingTable, StageRuntime } from './routing.js';

const STATS_EVERY_MS = 1_000;
const DEFAULT_MINUTES = EndpointStatsQuery.properties.minutes.default as number;

/**
 * Endpoint traffic by the minute: each stage counts its current minute in memory (see
 * StageTraffic); finished minutes are stored, and pushed on the event stream, every
 * second; a stage that goes stores the minute it was still counting.
 */
export class StatsKeeper {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly table: RoutingTable,
  ) {}

  /** The stored minutes of the last `minutes` and the ones still counting, with the requests in flight. */
  stats(endpointId: string, query: EndpointStatsQuery): EndpointStats {
    const since = new Date(Date.now() - (query.minutes ?? DEFAULT_MINUTES) * 60_000).toISOString();
    const live = this.table.runtimesOf(endpointId, query.stage);
    for (const runtime of live) this.save(runtime);
    const current = live.map((r) => r.traffic.current()).filter((m) => m.count > 0 || m.maxInFlight > 0);
    const inFlight: Record<string, number> = {};
    for (const runtime of live) inFlight[runtime.name] = runtime.traffic.inFlight;
    const minutes = [...this.store.inference.minutes(endpointId, since, query.stage), ...current];
    return { endpointId, minutes, inFlight };
  }

  /** Store the stage's finished minutes (and, when it goes, the one still counting) and push them on the event stream. */
  save(runtime: StageRuntime, last = false): void {
    const minutes = runtime.traffic.roll();
    if (last) {
      const current = runtime.traffic.current();
      if (current.count > 0) minutes.push(current);
    }
    if (minutes.length === 0) return;
    this.store.tx(() => {
      if (!this.store.endpoints.get(runtime.endpointId)) return;
      for (const minute of minutes) {
        this.store.inference.saveMinute(runtime.endpointId, minute);
        this.store.events.record('endpoints', 'stats', runtime.endpointId, minute);
      }
    });
  }

  /** Save every stage's finished minutes each second, from the first endpoint on. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      for (const runtime of this.table.allRuntimes()) this.save(runtime);
    }, STATS_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
