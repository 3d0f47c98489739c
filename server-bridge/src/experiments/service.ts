import type {
  Experiment,
  ExperimentComparison,
  ExperimentCreate,
  ExperimentList,
  ExperimentUpdate,
  ListQuery,
} from '@emkit/shared';
import { conflict, notFound } from '../server/errors.js';
import { pageOf } from '../server/query-defaults.js';
import type { Store } from '../store/index.js';
import { isUniqueViolation } from '../store/rows.js';

/** Experiments: groups of trainings, compared side by side; one is deleted only once it has no trainings. */
export class ExperimentService {
  constructor(private readonly store: Store) {}

  find(key: string): Experiment {
    const experiment = this.store.experiments.get(key);
    if (!experiment) throw notFound('experiment', key);
    return experiment;
  }

  list(query: ListQuery | undefined): ExperimentList {
    const { limit, offset } = pageOf(query);
    return this.store.experiments.list(limit, offset);
  }

  create(input: ExperimentCreate): Experiment {
    try {
      return this.store.tx(() => this.store.experiments.insert({ name: input.name, description: input.description ?? '' }));
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`an experiment named "${input.name}" already exists`);
      throw error;
    }
  }

  update(key: string, changes: ExperimentUpdate): Experiment {
    return this.store.tx(() => this.store.experiments.update(this.find(key), changes.description));
  }

  /** Refused while trainings are in it: deleting them is a choice the user makes one by one. */
  delete(key: string): void {
    this.store.tx(() => {
      const experiment = this.find(key);
      const trainings = this.store.trainings.countInExperiment(experiment.id);
      if (trainings > 0) {
        throw conflict(`experiment "${experiment.name}" has ${trainings} training(s); delete them first`);
      }
      const tunings = this.store.tunings.countInExperiment(experiment.id);
      if (tunings > 0) throw conflict(`experiment "${experiment.name}" has ${tunings} tuning(s); delete them first`);
      this.store.experiments.delete(experiment.id);
    });
  }

  /** Its trainings side by side: the union of their hyperparameters and of their metrics' summaries. */
  compare(key: string): ExperimentComparison {
    const experiment = this.find(key);
    const trainings = this.store.trainings.list({ experimentId: experiment.id, limit: 10_000, offset: 0 }).items;
    const hyperparameters = new Set<string>();
    const metrics = new Set<string>();
    const usage = this.store.usage.summaries(
      'trainings',
      trainings.map((t) => t.id),
    );
    const rows = trainings.map((training) => {
      const summaries = this.store.metrics.summaries(training.id);
      for (const key of Object.keys(training.hyperparameters)) hyperparameters.add(key);
      for (const tag of Object.keys(summaries)) metrics.add(tag);
      return {
        id: training.id,
        name: training.name,
        state: training.state,
        createdAt: training.createdAt,
        startedAt: training.startedAt,
        endedAt: training.endedAt,
        hyperparameters: training.hyperparameters,
        metrics: summaries,
        peakMemoryMb: usage.get(training.id)?.peakMemoryMb ?? null,
        meanCpuPercent: usage.get(training.id)?.meanCpuPercent ?? null,
      };
    });
    return {
      experimentId: experiment.id,
      experimentName: experiment.name,
      hyperparameters: [...hyperparameters].sort(),
      metrics: [...metrics].sort(),
      trainings: rows,
    };
  }
}
