import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  isSettled,
  type ResourceEvent,
  type Training,
  type Tuning,
  type TuningCopy,
  type TuningCreate,
  type TuningDeleteQuery,
  type TuningList,
  type TuningListQuery,
  type TuningTrialList,
  type TuningTrialListQuery,
  type TuningUpdate,
  trainingStates,
  tuningStates,
} from '@emkit/shared';
import { readdirIfPresent } from '../runtime/safe-files.js';
import { conflict, notFound } from '../server/errors.js';
import { pageOf } from '../server/query-defaults.js';
import type { Store } from '../store/index.js';
import { publicTrial, type TuningRecord } from '../store/tunings.js';
import type { TrainingService } from '../trainings/service.js';
import { TUNING_TAG, TuningRun } from './run.js';
import { StudyProcess } from './study-process.js';
import { type TuningSubmitOptions, TuningSubmitter } from './submit.js';

export interface TuningServiceOptions extends TuningSubmitOptions {
  trainings: TrainingService;
}

/**
 * Tunings, as the routes see them: create and copy (./submit.ts), the queries, stop, update and delete; and
 * one TuningRun (./run.ts) per tuning that hasn't settled, fed the events of its trials' trainings (each
 * settling, each read of new metric points) from the store's event bus.
 */
export class TuningService {
  private readonly submitter: TuningSubmitter;
  private readonly runs = new Map<string, TuningRun>();
  private readonly onEvent = (event: ResourceEvent) => this.route(event);

  constructor(
    private readonly store: Store,
    private readonly options: TuningServiceOptions,
  ) {
    this.submitter = new TuningSubmitter(store, options);
  }

  /**
   * At start: listen to the trainings' events, drive on every tuning a previous bridge left going, and clear
   * the folders of creates a previous bridge died in the middle of.
   */
  start(): void {
    this.store.events.bus.on('event', this.onEvent);
    void this.removeOrphans().catch((error: Error) =>
      this.options.log.warn({ error: error.message }, 'could not clear the tunings folder of half-made tunings'),
    );
    for (const tuning of this.store.tunings.unfinished()) {
      const study = new StudyProcess({
        python: this.options.python,
        emkitImportPath: this.options.emkitImportPath,
        dir: tuning.dir,
        name: tuning.name,
        log: this.options.log,
      });
      void this.drive(tuning, study);
    }
  }

  /** The bridge is stopping: the study processes end; the trials' trainings go on (the next bridge picks them up). */
  async shutdown(): Promise<void> {
    this.store.events.bus.off('event', this.onEvent);
    const runs = [...this.runs.values()];
    this.runs.clear();
    await Promise.all(runs.map((run) => run.shutdown()));
  }

  async create(input: TuningCreate): Promise<Tuning> {
    const { tuning, study } = await this.submitter.create(input);
    await this.drive(tuning, study);
    return this.view(tuning.id);
  }

  async copy(key: string, overrides: TuningCopy): Promise<Tuning> {
    const { tuning, study } = await this.submitter.copy(this.record(key), overrides);
    await this.drive(tuning, study);
    return this.view(tuning.id);
  }

  find(key: string): Tuning {
    return this.store.tunings.view(this.record(key));
  }

  list(query: TuningListQuery | undefined): TuningList {
    const { limit, offset } = pageOf(query);
    let experimentId: string | undefined;
    if (query?.experiment !== undefined) {
      const experiment = this.store.experiments.get(query.experiment);
      if (!experiment) return { items: [], total: 0 };
      experimentId = experiment.id;
    }
    const page = this.store.tunings.list({ experimentId, state: query?.state, limit, offset });
    return { items: page.items.map((t) => this.store.tunings.view(t)), total: page.total };
  }

  trials(key: string, query: TuningTrialListQuery | undefined): TuningTrialList {
    const tuning = this.record(key);
    const limit = query?.limit ?? 1000;
    const offset = query?.offset ?? 0;
    const page = this.store.tunings.trialPageOf({ tuningId: tuning.id, state: query?.state, limit, offset });
    return { items: page.items.map(publicTrial), total: page.total };
  }

  update(key: string, changes: TuningUpdate): Tuning {
    const tuning = this.record(key);
    const next = this.store.tx(() =>
      this.store.tunings.update(tuning.id, {
        description: changes.description ?? tuning.description,
        tags: changes.tags ?? tuning.tags,
      }),
    );
    return this.store.tunings.view(next);
  }

  /** No trial starts any more and the running ones are stopped; the tuning is STOPPED once they have. */
  async stop(key: string): Promise<Tuning> {
    const tuning = this.record(key);
    if (tuning.state === 'STOP IN PROGRESS') return this.store.tunings.view(tuning);
    if (isSettled(tuningStates, tuning.state)) throw conflict(`tuning "${tuning.name}" has already ended (${tuning.state})`);
    this.store.tx(() => this.store.tunings.update(tuning.id, { state: 'STOP IN PROGRESS', stateReason: 'stopped by request' }));
    await this.runs.get(tuning.id)?.stopTrials('the tuning was stopped');
    return this.view(tuning.id);
  }

  /** A settled tuning: its record, its trials and its folder (the study) go; its trainings too with `trainings`. */
  async delete(key: string, query: TuningDeleteQuery | undefined): Promise<void> {
    const tuning = this.record(key);
    if (!isSettled(tuningStates, tuning.state)) {
      throw conflict(`tuning "${tuning.name}" is ${tuning.state}; stop it before deleting it`);
    }
    const trials = this.store.tunings.trials(tuning.id);
    const running = trials.filter((t) => t.state === 'RUNNING').length;
    if (running > 0) {
      throw conflict(
        `tuning "${tuning.name}" has ended, but ${running} of its trials are still being stopped; delete it once they have`,
      );
    }
    if (query?.trainings) {
      // the ones a model comes from stay (their delete would be refused): said in the log
      for (const trial of trials) {
        const training = trial.trainingId ? this.store.trainings.get(trial.trainingId) : undefined;
        if (!training || !isSettled(trainingStates, training.state)) continue;
        if (this.store.models.versionsFromTraining(training.id).length > 0) continue;
        await this.options.trainings.delete(training.id);
      }
    }
    this.store.tx(() => this.store.tunings.delete(tuning.id));
    try {
      await rm(tuning.dir, { recursive: true, force: true });
    } catch (error) {
      this.options.log.warn({ tuning: tuning.name, error: (error as Error).message }, 'could not remove the tuning folder');
    }
  }

  /** Folders under `<home>/tunings` without a record: creates a bridge died in the middle of. */
  private async removeOrphans(): Promise<void> {
    for (const entry of await readdirIfPresent(this.options.root)) {
      if (!entry.isDirectory() || this.store.tunings.get(entry.name)) continue;
      const dir = join(this.options.root, entry.name);
      await rm(dir, { recursive: true, force: true });
      this.options.log.info({ dir }, 'removed a tuning folder no record owns');
    }
  }

  private record(key: string): TuningRecord {
    const tuning = this.store.tunings.get(key);
    if (!tuning) throw notFound('tuning', key);
    return tuning;
  }

  private view(id: string): Tuning {
    return this.store.tunings.view(this.record(id));
  }

  /** Start driving a tuning: its first trials are asked for and launched before this resolves. */
  private async drive(tuning: TuningRecord, study: StudyProcess): Promise<void> {
    const run = new TuningRun(tuning.id, {
      store: this.store,
      trainings: this.options.trainings,
      log: this.options.log,
      study,
      onDone: (id) => {
        if (this.runs.get(id) === run) this.runs.delete(id);
      },
    });
    this.runs.set(tuning.id, run);
    await run.resume();
  }

  /**
   * A trial's training settled, or new points of it were stored: its tuning's run hears of it. A cluster
   * changed or went: the runs whose trials run there hear of it (how many trials it holds may have changed).
   */
  private route(event: ResourceEvent): void {
    if (this.runs.size === 0) return;
    if (event.resource === 'clusters' && (event.action === 'updated' || event.action === 'deleted')) {
      for (const run of this.runs.values()) void run.clusterChanged(event.id);
      return;
    }
    if (event.resource !== 'trainings') return;
    if (event.action === 'finished') {
      const tuningId = (event.data as unknown as Training | null)?.tags?.[TUNING_TAG];
      const run = tuningId === undefined ? undefined : this.runs.get(tuningId);
      void run?.trainingSettled(event.id);
    } else if (event.action === 'metrics') {
      const trial = this.store.tunings.trialOfTraining(event.id);
      const run = trial && this.runs.get(trial.tuningId);
      void run?.metricsArrived(event.id);
    }
  }
}
