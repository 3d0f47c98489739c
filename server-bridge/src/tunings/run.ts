import { join } from 'node:path';
import { isSettled, type TrainingState, type TuningState, trainingStates, tuningStates } from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import { HttpError } from '../server/errors.js';
import type { Store } from '../store/index.js';
import type { TrainingRecord } from '../store/trainings.js';
import type { TrialChanges, TrialRecord, TuningRecord } from '../store/tunings.js';
import type { TrainingService } from '../trainings/service.js';
import { TRIAL_RANKS, trialsAtOnce } from './capacity.js';
import { readObjective } from './objective.js';
import { formatValue } from './space.js';
import { StudyGaveUp, type StudyProcess } from './study-process.js';

/** Tags every trial's training carries: which tuning it belongs to, and its trial number. */
export const TUNING_TAG = 'emkit.tuning';
export const TRIAL_TAG = 'emkit.tuning.trial';

/** After a step fails (the study process ended, and is started again at the next request), the next try waits this long. */
const RETRY_MS = 2_000;
/**
 * The importance (fANOVA: a fraction of a second, seconds the first time) is asked again at most this often,
 * aside from the queue of steps (the study works it out on a thread of its own): it never holds up the search.
 */
const IMPORTANCE_EVERY_MS = 2_000;
/** A step that fails this many times in a row fails the tuning, with the error. */
const MAX_FAILED_STEPS = 5;

export interface RunDeps {
  store: Store;
  trainings: TrainingService;
  log: FastifyBaseLogger;
  /** the run's own study process */
  study: StudyProcess;
  /** the run is over: its tuning settled and no trial runs */
  onDone: (tuningId: string) => void;
}

/** A trial's training name: `<tuning>-t<N>` (the tuning's name is at most 44 characters, so it fits). */
export const trialName = (tuning: string, number: number) => `${tuning}-t${number}`;

/**
 * One tuning, driven: asks the study for trials up to `parallel` at once within the budget, makes each a
 * training (recorded before the training is made, so a restart finds it), reports each trial's objective
 * points to the pruner as they arrive and stops the pruned, settles trials as their trainings end (the
 * objective read from the stored metrics), keeps the best and the importance, and settles the tuning.
 * All of it one step at a time (a queue), so no two steps ever ask, launch or settle side by side.
 */
export class TuningRun {
  private chain: Promise<void> = Promise.resolve();
  private syncedStarts = 0;
  private budgetTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private importanceTimer: NodeJS.Timeout | undefined;
  private importanceAt = 0;
  private importanceRunning: Promise<void> | undefined;
  private closed = false;
  /** the study gave up: trials still settle (recorded, not told), nothing is asked */
  private gaveUp = false;
  /** steps failed in a row (not counting a study that gave up) */
  private failures = 0;

  constructor(
    readonly tuningId: string,
    private readonly deps: RunDeps,
  ) {}

  /** At start (a new tuning, or one a previous bridge left going): reconcile with the study, then go on. */
  resume(): Promise<void> {
    return this.enqueue(async () => {
      this.armBudget();
      await this.syncWithStudy();
      await this.fill();
    });
  }

  /** A trial's training has settled. */
  trainingSettled(trainingId: string): Promise<void> {
    return this.enqueue(async () => {
      const trial = this.trialOf(trainingId);
      const training = this.deps.store.trainings.get(trainingId);
      if (trial?.state === 'RUNNING' && training) await this.settleTrial(trial, training);
      await this.fill();
    });
  }

  /** New points of a trial's training were stored: report the objective's to the pruner. */
  metricsArrived(trainingId: string): Promise<void> {
    return this.enqueue(async () => {
      const trial = this.trialOf(trainingId);
      if (trial?.state === 'RUNNING') await this.report(trial, trainingId);
    });
  }

  /** The tuning's cluster changed (its nodes, its state) or went: as many trials as it now holds may run. */
  clusterChanged(clusterId: string): Promise<void> {
    if (this.deps.store.tunings.get(this.tuningId)?.clusterId !== clusterId) return Promise.resolve();
    return this.enqueue(() => this.fill());
  }

  /** Stop asking, and stop the running trials' trainings with `reason` (said in their trials' reasons). */
  stopTrials(reason: string): Promise<void> {
    return this.enqueue(async () => {
      await this.stopRunning(reason);
      await this.fill();
    });
  }

  /** The bridge is stopping: the study process ends, the trials go on (the next bridge picks them up). */
  async shutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.budgetTimer);
    clearTimeout(this.retryTimer);
    clearTimeout(this.importanceTimer);
    await this.deps.study.close();
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.chain.then(async () => {
      if (this.closed) return;
      try {
        await work();
        this.failures = 0;
      } catch (error) {
        await this.failed(error as Error);
      }
    });
    this.chain = next;
    return next;
  }

  private get tuning(): TuningRecord {
    const tuning = this.deps.store.tunings.get(this.tuningId);
    if (!tuning) throw new Error(`tuning ${this.tuningId} vanished`);
    return tuning;
  }

  private trialOf(trainingId: string): TrialRecord | undefined {
    const trial = this.deps.store.tunings.trialOfTraining(trainingId);
    if (trial) return trial;
    // made, but not linked yet (a restart in between): its tags say which trial it is
    const training = this.deps.store.trainings.get(trainingId);
    const number = Number(training?.tags[TRIAL_TAG]);
    if (training?.tags[TUNING_TAG] !== this.tuningId || !Number.isInteger(number)) return undefined;
    return this.deps.store.tunings.trial(this.tuningId, number);
  }

  private updateTrial(trial: TrialRecord, changes: TrialChanges): TrialRecord {
    return this.deps.store.tx(() => this.deps.store.tunings.updateTrial(trial, changes));
  }

  private setState(state: TuningState, stateReason: string | null): TuningRecord {
    const { store } = this.deps;
    return store.tx(() => {
      const settled = state === 'COMPLETE' || state === 'FAILED' || state === 'STOPPED';
      const next = store.tunings.update(this.tuningId, {
        state,
        stateReason,
        ...(settled ? { endedAt: new Date().toISOString() } : {}),
      });
      if (settled) store.tunings.recordFinished(next);
      return next;
    });
  }

  /**
   * Whatever step failed: a study that gave up (or a step failing MAX_FAILED_STEPS times in a row) fails the
   * tuning; anything else is tried again shortly, from a full reconcile with the study (what the failed step
   * left half done is finished there).
   */
  private async failed(error: Error): Promise<void> {
    const tuning = this.deps.store.tunings.get(this.tuningId);
    if (!tuning || this.closed) return;
    this.failures += 1;
    const givesUp = error instanceof StudyGaveUp || this.failures >= MAX_FAILED_STEPS;
    if (givesUp) {
      const reason =
        error instanceof StudyGaveUp ? error.message : `a step failed ${this.failures} times in a row: ${error.message}`;
      this.gaveUp = true;
      this.deps.log.warn({ tuning: tuning.name, error: reason }, 'the tuning fails');
      if (!isSettled(tuningStates, tuning.state)) this.setState('FAILED', reason);
      await this.stopRunning(`the tuning failed: ${reason}`).catch(() => {});
      // what the failed steps left (a training that settled while the study was failing) is settled now
      await this.reconcileTrials().catch((failure: Error) =>
        this.deps.log.warn({ tuning: tuning.name, error: failure.message }, 'its trials could not be reconciled'),
      );
      this.finishIfIdle();
      return;
    }
    this.deps.log.warn({ tuning: tuning.name, error: error.message }, 'a tuning step failed; trying again shortly');
    this.syncedStarts = -1;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.resume(), RETRY_MS);
    this.retryTimer.unref();
  }

  /** The time budget: when it runs out no trial starts, and the running ones are stopped. */
  private armBudget(): void {
    const { maxDurationSeconds, startedAt } = this.tuning;
    if (maxDurationSeconds === null || this.budgetTimer) return;
    const left = Date.parse(startedAt ?? new Date().toISOString()) + maxDurationSeconds * 1000 - Date.now();
    this.budgetTimer = setTimeout(
      () => void this.stopTrials(`the tuning's time budget of ${maxDurationSeconds}s ran out`),
      Math.max(0, left),
    );
    this.budgetTimer.unref();
  }

  private timeIsUp(tuning: TuningRecord): boolean {
    if (tuning.maxDurationSeconds === null || tuning.startedAt === null) return false;
    return Date.now() >= Date.parse(tuning.startedAt) + tuning.maxDurationSeconds * 1000;
  }

  /**
   * Bring the records in line with the study, each time a study process starts (a new tuning, a restarted
   * bridge, a study process started again): a trial the study was asked for but the bridge never recorded is
   * recorded and run; a recorded trial whose training was never made is made (or found, by its name); one
   * whose training ended meanwhile is settled. Nothing is asked twice, nothing is lost.
   */
  private async syncWithStudy(): Promise<void> {
    const { study, store } = this.deps;
    // a study that gave up has nothing to say: the trials are settled from their trainings alone
    if (this.gaveUp) return this.reconcileTrials();
    await study.open();
    if (study.starts === this.syncedStarts) return;
    const studyTrials = await study.trials();
    this.syncedStarts = study.starts;
    const tuning = this.tuning;
    const running = tuning.state === 'RUNNING';
    for (const asked of studyTrials) {
      if (asked.state !== 'RUNNING' || store.tunings.trial(this.tuningId, asked.number)) continue;
      if (!running) {
        await study.tell(asked.number, { state: 'fail' });
        continue;
      }
      const trial = store.tx(() =>
        store.tunings.insertTrial({
          tuningId: this.tuningId,
          number: asked.number,
          trainingName: trialName(tuning.name, asked.number),
          params: asked.params,
        }),
      );
      await this.launch(trial);
    }
    await this.reconcileTrials();
  }

  /**
   * Each recorded trial still RUNNING against its training: made if it never was (or found by its name),
   * settled if its training has, stopped if the tuning no longer runs, else its newest points reported.
   */
  private async reconcileTrials(): Promise<void> {
    const { store } = this.deps;
    const tuning = this.tuning;
    const running = tuning.state === 'RUNNING';
    for (const trial of store.tunings.trials(this.tuningId)) {
      if (trial.state !== 'RUNNING') continue;
      const training =
        (trial.trainingId ? store.trainings.get(trial.trainingId) : undefined) ??
        (trial.trainingName ? store.trainings.get(trial.trainingName) : undefined);
      if (!training) {
        if (trial.trainingId !== null) {
          await this.endTrial(trial, { state: 'FAILED', stateReason: 'its training was deleted' }, { state: 'fail' });
        } else if (running) await this.launch(trial);
        else
          await this.endTrial(trial, { state: 'STOPPED', stateReason: 'the tuning ended before it started' }, { state: 'fail' });
        continue;
      }
      const linked = trial.trainingId === training.id ? trial : this.updateTrial(trial, { trainingId: training.id });
      if (isSettled(trainingStates, training.state)) await this.settleTrial(linked, training);
      else if (!running && training.state !== 'STOP IN PROGRESS') await this.stopTraining(training.id, this.stopReasonOf(tuning));
      else await this.report(linked, training.id);
    }
  }

  /**
   * Ask for trials while there is room: fewer running than `parallel` (and than the cluster holds, ./capacity.ts),
   * the budget not spent, the tuning RUNNING.
   */
  private async fill(): Promise<void> {
    const { store, study } = this.deps;
    for (;;) {
      if (this.tuning.state !== 'RUNNING' || this.timeIsUp(this.tuning)) break;
      await this.syncWithStudy();
      const tuning = this.tuning;
      if (tuning.state !== 'RUNNING') break;
      const atOnce = this.trialsAtOnce(tuning);
      const { running, total } = store.tunings.trialCounts(this.tuningId);
      if (running >= atOnce || total >= tuning.maxTrials) break;
      const asked = await study.ask();
      const trial = store.tx(() =>
        store.tunings.insertTrial({
          tuningId: this.tuningId,
          number: asked.number,
          trainingName: trialName(tuning.name, asked.number),
          params: asked.params,
        }),
      );
      await this.launch(trial);
    }
    await this.finishIfDone();
  }

  /**
   * How many trials may run at once, read afresh from the cluster's record (the bridge checks every cluster
   * every few seconds); when the cluster holds fewer than `parallel`, the RUNNING tuning's stateReason says so.
   */
  private trialsAtOnce(tuning: TuningRecord): number {
    const cluster = tuning.clusterId === null ? undefined : this.deps.store.clusters.get(tuning.clusterId);
    const { atOnce, reason } = trialsAtOnce(tuning.parallel, cluster);
    if (tuning.stateReason !== reason) {
      this.deps.store.tx(() => this.deps.store.tunings.update(this.tuningId, { stateReason: reason }));
    }
    return atOnce;
  }

  /** Make the trial's training: the snapshot, the fixed values and the trial's, the tags that tie it to the trial. */
  private async launch(trial: TrialRecord): Promise<void> {
    const tuning = this.tuning;
    const hyperparameters: Record<string, string> = { ...tuning.fixed };
    for (const [key, value] of Object.entries(trial.params)) hyperparameters[key] = formatValue(tuning.space[key], value);
    const tags: Record<string, string> = { [TUNING_TAG]: tuning.id, [TRIAL_TAG]: String(trial.number) };
    let training: TrainingRecord;
    try {
      training = await this.deps.trainings.createFromSnapshot(
        {
          name: trialName(tuning.name, trial.number),
          description: `trial ${trial.number} of tuning ${tuning.name}`,
          experiment: tuning.experimentId,
          hyperparameters,
          instanceCount: TRIAL_RANKS,
          datasets: tuning.datasets,
          environment: tuning.environmentId ?? undefined,
          maxDurationSeconds: tuning.trialMaxDurationSeconds ?? undefined,
          tags,
          earlyStopping: tuning.earlyStopping ?? undefined,
          cluster: tuning.clusterId,
        },
        {
          snapshot: join(tuning.dir, 'source'),
          entryPoint: tuning.source.entryPoint,
          path: tuning.source.path,
          kind: tuning.source.kind,
        },
      );
    } catch (error) {
      // a training that can't be made (its environment gone, its cluster unreachable…) is a failed trial
      const why = error instanceof HttpError || error instanceof Error ? error.message : String(error);
      await this.endTrial(trial, { state: 'FAILED', stateReason: `its training could not be made: ${why}` }, { state: 'fail' });
      return;
    }
    const linked = this.updateTrial(trial, { trainingId: training.id, trainingName: training.name });
    if (isSettled(trainingStates, training.state)) await this.settleTrial(linked, training);
  }

  /** Tell the study first, then record: a restart in between tells again, and the study answers it knows. */
  private async endTrial(
    trial: TrialRecord,
    changes: TrialChanges,
    told: { value: number } | { state: 'pruned' | 'fail' },
  ): Promise<TrialRecord> {
    if (!this.gaveUp) await this.deps.study.tell(trial.number, told);
    const { store } = this.deps;
    const ended = store.tx(() => {
      const next = store.tunings.updateTrial(trial, { endedAt: new Date().toISOString(), ...changes });
      // the tuning's counts changed: an `updated` event carries them (and the best, when it changed)
      store.tunings.update(this.tuningId, { best: this.best() });
      return next;
    });
    if (changes.state === 'COMPLETE') this.importanceLater();
    return ended;
  }

  /** A settled training → its trial: COMPLETE with the objective, PRUNED, STOPPED or FAILED, with the reason. */
  private async settleTrial(trial: TrialRecord, training: TrainingRecord): Promise<void> {
    const tuning = this.tuning;
    if (trial.prunedAtStep !== null) {
      await this.endTrial(trial, { state: 'PRUNED', stateReason: `pruned at step ${trial.prunedAtStep}` }, { state: 'pruned' });
      return;
    }
    const state: TrainingState = training.state;
    if (state === 'COMPLETE') {
      await this.report(trial, training.id);
      const reading = readObjective(this.deps.store, training.id, tuning.objective);
      if ('value' in reading) {
        // the training's own words stay with it (an early stop: "early stopped at step N; best …")
        const stateReason = training.stateReason;
        await this.endTrial(trial, { state: 'COMPLETE', stateReason, value: reading.value }, { value: reading.value });
      } else await this.endTrial(trial, { state: 'FAILED', stateReason: reading.missing }, { state: 'fail' });
    } else if (state === 'STOPPED') {
      await this.endTrial(
        trial,
        { state: 'STOPPED', stateReason: training.stateReason ?? 'its training was stopped' },
        { state: 'fail' },
      );
    } else {
      const why = training.stateReason ? `: ${training.stateReason}` : '';
      await this.endTrial(trial, { state: 'FAILED', stateReason: `its training ended ${state}${why}` }, { state: 'fail' });
    }
    this.checkFirstTrials();
  }

  /** The objective's points after the last one reported, to the study; a trial the pruner gives up on is stopped. */
  private async report(trial: TrialRecord, trainingId: string): Promise<void> {
    const tuning = this.tuning;
    const points = this.deps.store.metrics
      .pointsAfter(trainingId, tuning.objective.metric, trial.lastStep ?? Number.MIN_SAFE_INTEGER)
      .filter((p): p is { step: number; value: number } => p.value !== null && Number.isFinite(p.value));
    if (points.length === 0 || this.gaveUp) return;
    const prune = await this.deps.study.report(
      trial.number,
      points.map((p) => [p.step, p.value]),
    );
    const last = points[points.length - 1] as { step: number; value: number };
    const current = this.deps.store.tunings.trial(this.tuningId, trial.number) ?? trial;
    const reported = this.updateTrial(current, { lastStep: last.step, lastValue: last.value });
    if (!prune || tuning.pruner === 'none' || reported.prunedAtStep !== null) return;
    const training = this.deps.store.trainings.get(trainingId);
    if (training?.state !== 'RUNNING') return;
    const pruned = this.updateTrial(reported, { prunedAtStep: last.step });
    this.deps.log.info({ tuning: tuning.name, trial: trial.number, step: last.step }, 'trial pruned');
    if (!(await this.stopTraining(trainingId, `pruned at step ${last.step}`))) {
      // it ended on its own meanwhile: not pruned after all
      this.updateTrial(pruned, { prunedAtStep: null });
    }
  }

  /** Whether the training was asked to stop (false: it had ended already). */
  private async stopTraining(trainingId: string, reason: string): Promise<boolean> {
    try {
      await this.deps.trainings.stop(trainingId, reason);
      return true;
    } catch (error) {
      if (error instanceof HttpError && (error.status === 409 || error.status === 404)) return false;
      throw error;
    }
  }

  private stopReasonOf(tuning: TuningRecord): string {
    if (tuning.state === 'FAILED') return `the tuning failed: ${tuning.stateReason ?? ''}`.trim();
    return tuning.stateReason && tuning.state !== 'STOP IN PROGRESS' ? tuning.stateReason : 'the tuning was stopped';
  }

  private async stopRunning(reason: string): Promise<void> {
    for (const trial of this.deps.store.tunings.trials(this.tuningId)) {
      if (trial.state !== 'RUNNING' || !trial.trainingId) continue;
      const training = this.deps.store.trainings.get(trial.trainingId);
      if (training && !isSettled(trainingStates, training.state) && training.state !== 'STOP IN PROGRESS') {
        await this.stopTraining(training.id, reason);
      }
    }
  }

  /**
   * The first trials tell whether the objective can be read at all: if the first max(2, parallel) settled
   * ones (pruned and stopped ones aside) all failed, the tuning fails now, not after its whole budget.
   */
  private checkFirstTrials(): void {
    const tuning = this.tuning;
    if (tuning.state !== 'RUNNING') return;
    const settled = this.deps.store.tunings
      .trials(this.tuningId)
      .filter((t) => t.state === 'COMPLETE' || t.state === 'FAILED')
      .sort((a, b) => (a.endedAt ?? '').localeCompare(b.endedAt ?? '') || a.number - b.number);
    const first = settled.slice(0, firstTrialsJudged(tuning.parallel));
    if (first.length < firstTrialsJudged(tuning.parallel) || first.some((t) => t.state !== 'FAILED')) return;
    const { metric } = tuning.objective;
    const logged = first.some((t) => t.trainingId && this.deps.store.metrics.tags(t.trainingId).includes(metric));
    const example = first[first.length - 1] as TrialRecord;
    const reason = logged
      ? `the first ${first.length} trials failed (trial ${example.number}: ${example.stateReason})`
      : `no trial logged ${metric} (trial ${example.number}: ${example.stateReason})`;
    this.setState('FAILED', reason);
    void this.stopTrials(`the tuning failed: ${reason}`);
  }

  /** The tuning's budget is spent (or it was stopped, or failed) and no trial runs: it settles, and the run ends. */
  private async finishIfDone(): Promise<void> {
    const tuning = this.tuning;
    const trials = this.deps.store.tunings.trials(this.tuningId);
    if (trials.some((t) => t.state === 'RUNNING')) return;
    if (tuning.state === 'STOP IN PROGRESS') {
      this.setState('STOPPED', tuning.stateReason);
    } else if (tuning.state === 'RUNNING') {
      const timeUp = this.timeIsUp(tuning);
      if (!timeUp && trials.length < tuning.maxTrials) return;
      clearTimeout(this.importanceTimer);
      this.importanceTimer = undefined;
      await this.refreshImportance();
      const complete = trials.filter((t) => t.state === 'COMPLETE').length;
      if (complete === 0) {
        const why = timeUp
          ? `its time budget of ${tuning.maxDurationSeconds}s ran out before any trial completed`
          : 'no trial completed';
        this.setState('FAILED', `${why} (${summarise(trials)})`);
      } else {
        this.setState('COMPLETE', timeUp ? `its time budget of ${tuning.maxDurationSeconds}s ran out` : null);
      }
    }
    this.finishIfIdle();
  }

  /** A settled tuning with no trial running: its study process ends, and the service forgets the run. */
  private finishIfIdle(): void {
    const tuning = this.deps.store.tunings.get(this.tuningId);
    if (tuning && !isSettled(tuningStates, tuning.state)) return;
    if (this.deps.store.tunings.trialCounts(this.tuningId).running > 0) return;
    this.closed = true;
    clearTimeout(this.budgetTimer);
    clearTimeout(this.retryTimer);
    clearTimeout(this.importanceTimer);
    void this.deps.study.close();
    this.deps.onDone(this.tuningId);
  }

  private best(): TuningRecord['best'] {
    const best = this.deps.store.tunings.bestTrial(this.tuningId, this.tuning.objective.mode);
    if (!best?.trainingId || !best.trainingName || best.value === null) return null;
    return {
      number: best.number,
      trainingId: best.trainingId,
      trainingName: best.trainingName,
      value: best.value,
      params: best.params,
    };
  }

  /** A trial completed: the importance is asked again soon (IMPORTANCE_EVERY_MS after the last time at the earliest). */
  private importanceLater(): void {
    if (this.importanceTimer || this.gaveUp) return;
    const wait = Math.max(0, this.importanceAt + IMPORTANCE_EVERY_MS - Date.now());
    this.importanceTimer = setTimeout(() => {
      this.importanceTimer = undefined;
      this.refreshImportance().catch((error: Error) =>
        this.deps.log.warn({ tuning: this.tuningId, error: error.message }, 'the importance could not be had'),
      );
    }, wait);
    this.importanceTimer.unref();
  }

  /**
   * Optuna's importance, once two trials are COMPLETE: asked aside from the queue of steps (the study works it
   * out on a thread of its own), one at a time; a refresh asked while one runs waits for it and asks again.
   */
  private async refreshImportance(): Promise<void> {
    while (this.importanceRunning) await this.importanceRunning;
    if (this.gaveUp || this.closed) return;
    const complete = this.deps.store.tunings.trialCounts(this.tuningId).complete;
    if (complete < 2) return;
    this.importanceRunning = (async () => {
      try {
        const importance = await this.deps.study.importance();
        const tuning = this.deps.store.tunings.get(this.tuningId);
        if (importance && tuning) this.deps.store.tx(() => this.deps.store.tunings.update(this.tuningId, { importance }));
      } finally {
        this.importanceAt = Date.now();
        this.importanceRunning = undefined;
      }
    })();
    await this.importanceRunning;
  }
}

/** How many settled trials judge whether the objective can be read: max(2, parallel) (README: Tunings). */
export const firstTrialsJudged = (parallel: number) => Math.max(2, parallel);

function summarise(trials: TrialRecord[]): string {
  const counts = new Map<string, number>();
  for (const trial of trials) counts.set(trial.state.toLowerCase(), (counts.get(trial.state.toLowerCase()) ?? 0) + 1);
  return [...counts].map(([state, n]) => `${n} ${state}`).join(', ') || 'none ran';
}
