import type { MetricsEventData } from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../store/index.js';
import type { NewPoint } from '../store/metrics.js';
import { EventFileTailer } from './event-file-tailer.js';
import { findEventFiles, qualifiedTag, runNameFor } from './find-event-files.js';

/** At most this many points ride on one `metrics` event; a client that needs more reads the series. */
const POINTS_PER_EVENT = 1000;

/**
 * Follows the event files under each running training's TensorBoard folder and moves
 * new scalars into the store, with a `metrics` event for live charts. Files are read
 * only from where the last read stopped.
 */
export class MetricsIngester {
  private readonly tailers = new Map<string, Map<string, EventFileTailer>>();
  /** per training, the read under way: the next waits for it, then reads again */
  private readonly reading = new Map<string, Promise<number>>();
  /** per training, the unreadable folders already logged (`dir` and error code): said once, not every poll */
  private readonly warned = new Map<string, Set<string>>();
  /** per training, points read by this bridge so far, whoever asked: what the quality review keys on */
  private readonly arrivedTotal = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly log: Pick<FastifyBaseLogger, 'warn'>,
  ) {}

  /**
   * Read what is new for one training; returns how many points arrived. One read at a time per
   * training; one asked while another runs waits for it and then reads again, so the final read
   * (the training has ended) sees the file to its end even when a periodic read had started
   * before the last points were written. (It used to return 0 at once: the training then
   * settled without them, "it never logged loss".)
   */
  ingest(trainingId: string, logDir: string): Promise<number> {
    const before = this.reading.get(trainingId);
    const read = (before ? before.catch(() => 0) : Promise.resolve(0)).then(() => this.readNew(trainingId, logDir));
    this.reading.set(trainingId, read);
    const done = () => {
      if (this.reading.get(trainingId) === read) this.reading.delete(trainingId);
    };
    read.then(done, done);
    return read;
  }

  private async readNew(trainingId: string, logDir: string): Promise<number> {
    let tailers = this.tailers.get(trainingId);
    if (!tailers) {
      tailers = new Map();
      this.tailers.set(trainingId, tailers);
    }
    const offsets = this.store.metrics.offsets(trainingId);
    let arrived = 0;
    const files = await findEventFiles(logDir, (dir, error) => this.warnUnreadable(trainingId, dir, error));
    for (const file of files) {
      let tailer = tailers.get(file);
      if (!tailer) {
        tailer = new EventFileTailer(file, offsets.get(file) ?? 0);
        tailers.set(file, tailer);
      }
      const before = tailer.offset;
      const scalars = await tailer.poll();
      if (tailer.offset === before && scalars.length === 0) continue;
      const run = runNameFor(logDir, file);
      const points: NewPoint[] = scalars.map((p) => ({
        tag: qualifiedTag(run, p.tag),
        step: p.step,
        value: p.value,
        wallTime: p.wallTime,
      }));
      const data: MetricsEventData = {
        trainingId,
        points: points.slice(-POINTS_PER_EVENT).map((p) => ({ ...p, value: Number.isNaN(p.value) ? null : p.value })),
      };
      const { offset, restarted } = tailer;
      this.store.tx(() => {
        this.store.metrics.append(trainingId, file, offset, points, restarted);
        if (points.length > 0) this.store.events.record('trainings', 'metrics', trainingId, data);
      });
      arrived += points.length;
      // counted per file as it commits, so a reader that asks between files sees what is stored
      if (points.length > 0 || restarted) this.arrivedTotal.set(trainingId, this.arrivals(trainingId) + points.length + 1);
    }
    return arrived;
  }

  /** A number that changes whenever points of the training were stored (by any reader). */
  arrivals(trainingId: string): number {
    return this.arrivedTotal.get(trainingId) ?? 0;
  }

  /** The training has settled and been read one last time: drop its readers. */
  forget(trainingId: string): void {
    this.tailers.delete(trainingId);
    this.arrivedTotal.delete(trainingId);
    this.warned.delete(trainingId);
  }

  private warnUnreadable(trainingId: string, dir: string, error: NodeJS.ErrnoException): void {
    let warned = this.warned.get(trainingId);
    if (!warned) {
      warned = new Set();
      this.warned.set(trainingId, warned);
    }
    const said = `${error.code}:${dir}`;
    if (warned.has(said)) return;
    warned.add(said);
    // its metrics are left out, as trainings' files() leaves out a folder it cannot list
    this.log.warn({ trainingId, dir, error: error.message }, 'could not read a TensorBoard folder');
  }
}
