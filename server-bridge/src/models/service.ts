import { mkdir, readdir, rm, rmdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  isSettled,
  type Model,
  type ModelCreate,
  type ModelList,
  type ModelListQuery,
  type ModelUpdate,
  trainingStates,
} from '@emkit/shared';
import { copyPlanned, copyRegularFile, FileRefused, planTree, readdirIfPresent, type TreeLimits } from '../runtime/safe-files.js';
import { checkUserPath } from '../runtime/user-paths.js';
import { conflict, HttpError, notFound } from '../server/errors.js';
import { pageOf } from '../server/query-defaults.js';
import type { Store } from '../store/index.js';
import type { TrainingRecord } from '../store/trainings.js';
import { trainingLayout } from '../trainings/contract.js';
import { refuseOverCap } from './activation.js';
import { detectFramework, frameworkVersion } from './frameworks.js';

export interface ModelServiceOptions {
  /** `<home>/models`: the registry's copies of the artifacts */
  root: string;
  /** the interpreter asked for framework versions of artifacts that come from no training */
  python: string;
  /** the emkit home: an artifact path inside it (or holding it) is refused */
  home: string;
  /** an artifact path is copied under the same caps as a training's source snapshot */
  limits: TreeLimits;
  /** stops what serves a version outside endpoints (its quick-test worker) before its files go */
  stopWorkers?: (modelId: string) => Promise<void>;
  /** `--max-active-models`: an (N+1)th ACTIVE version is refused (created, reactivated or registered by a recipe); none: no cap */
  maxActive?: number;
  /** a deleted version's sources (`withSources`): its training and the uploaded datasets only it used, as their own deletes do */
  deleteTraining?: (id: string) => Promise<void>;
  deleteDataset?: (name: string) => Promise<void>;
}

async function measure(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    files += 1;
    bytes += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return { files, bytes };
}

const unprocessable = (message: string, field?: string) => new HttpError(422, 'unprocessable', message, field);

/**
 * The model registry: numbered versions of a name, each a copy of its artifact with the
 * lineage of the training it came from, and aliases that promote moves between versions.
 */
export class ModelService {
  constructor(
    private readonly store: Store,
    private readonly options: ModelServiceOptions,
  ) {}

  find(ref: string): Model {
    const model = this.store.models.find(ref);
    if (!model) throw notFound('model', ref);
    return model;
  }

  list(query: ModelListQuery | undefined): ModelList {
    return this.store.models.list({ name: query?.name, ...pageOf(query) });
  }

  async create(input: ModelCreate): Promise<Model> {
    if ((input.training === undefined) === (input.artifactPath === undefined)) {
      throw new HttpError(400, 'validation', 'body: give a training or an artifactPath, one of them', 'training');
    }
    let from: string;
    let python = this.options.python;
    let training: TrainingRecord | undefined;
    if (input.training !== undefined) {
      training = this.store.trainings.get(input.training);
      if (!training) throw notFound('training', input.training);
      if (training.state !== 'COMPLETE') {
        throw conflict(`training "${training.name}" is ${training.state}; models are made from COMPLETE trainings`);
      }
      from = trainingLayout(training.dir).model;
      python = training.python;
      if ((await readdirIfPresent(from)).length === 0) {
        throw unprocessable(`training "${training.name}" saved nothing in EM_MODEL_DIR (${from})`, 'training');
      }
    } else {
      from = input.artifactPath as string;
      await this.checkArtifactPath(from);
    }
    return this.register(input, from, python, training);
  }

  /**
   * A built-in recipe's model, registered from its training as that training ends COMPLETE (before the record says
   * so: the update that records COMPLETE names this version), so it is not asked to be COMPLETE already.
   */
  async registerFromEndingTraining(
    training: TrainingRecord,
    input: Pick<ModelCreate, 'name' | 'description' | 'framework' | 'tags'>,
  ): Promise<Model> {
    const from = trainingLayout(training.dir).model;
    if ((await readdirIfPresent(from)).length === 0) {
      throw unprocessable(`training "${training.name}" saved nothing in EM_MODEL_DIR (${from})`, 'training');
    }
    return this.register({ ...input, training: training.id }, from, training.python, training);
  }

  /** Copy the artifact into the registry, tell its framework, record the version. */
  private async register(input: ModelCreate, from: string, python: string, training: TrainingRecord | undefined): Promise<Model> {
    // before the copy, so a refused one costs nothing; again in the transaction, so two at once can't both pass
    refuseOverCap(this.store.models.activeVersions(), this.options.maxActive);
    const id = this.store.models.newId();
    const artifactPath = join(this.options.root, input.name, id);
    try {
      await this.copyArtifact(from, artifactPath, training ? 'training' : 'artifactPath');
      const framework = input.framework ?? (await detectFramework(artifactPath));
      if (!framework) {
        throw unprocessable(
          'the framework could not be told from the files (.joblib/.pkl, .pt, .onnx, saved_model.pb, predict.py); name it',
          'framework',
        );
      }
      const version = input.frameworkVersion ?? (await frameworkVersion(python, framework));
      const size = await measure(artifactPath);
      return this.store.tx(() => {
        refuseOverCap(this.store.models.activeVersions(), this.options.maxActive);
        return this.store.models.insert(
          {
            id,
            name: input.name,
            description: input.description ?? '',
            framework,
            frameworkVersion: version,
            artifactPath,
            ...size,
            tags: input.tags ?? {},
            trainingId: training?.id ?? null,
            sourcePath: training ? null : from,
            hyperparameters: training?.hyperparameters ?? {},
            metrics: training ? this.store.metrics.summaries(training.id) : {},
          },
          input.aliases ?? [],
        );
      });
    } catch (error) {
      await rm(artifactPath, { recursive: true, force: true });
      // the name's folder too, if this was its only version
      await rmdir(join(this.options.root, input.name)).catch(() => undefined);
      throw error;
    }
  }

  /** A user's artifact path: absolute, existing, a regular file or a folder, and nothing of the emkit home. */
  private async checkArtifactPath(from: string): Promise<void> {
    await checkUserPath(from, { home: this.options.home, field: 'artifactPath', what: 'the artifact' });
  }

  /**
   * Into the registry's folder, as a training's source is snapshotted (a training's model
   * folder is written by user code too): regular files and links to them only, under the
   * same caps, measured before anything is copied.
   */
  private async copyArtifact(from: string, to: string, field: 'training' | 'artifactPath'): Promise<void> {
    await mkdir(to, { recursive: true });
    const tooBig = (what: string) =>
      new HttpError(
        413,
        'payload_too_large',
        `the artifact ${from} holds ${what}, over the registry's cap (the bridge's --max-source-mb); copy only the model's files to a folder of their own`,
        field,
      );
    try {
      if ((await stat(from)).isFile()) {
        await copyRegularFile(from, join(to, basename(from)), this.options.limits.maxBytes);
        return;
      }
      const { files } = await planTree(from, { limits: this.options.limits, tooBig });
      await copyPlanned(files, to);
    } catch (error) {
      if (error instanceof FileRefused) {
        if (error.reason === 'too_big') throw tooBig(`more than ${Math.round(this.options.limits.maxBytes / 1024 / 1024)} MB`);
        throw unprocessable(`the artifact ${from} is not a regular file`, field);
      }
      throw error;
    }
  }

  /** Description and tags; `active` deactivates (refused while a stage serves it) or reactivates (within the cap). */
  async update(ref: string, changes: ModelUpdate): Promise<Model> {
    const model = this.find(ref);
    const deactivating = changes.active === false && model.state === 'ACTIVE';
    const updated = this.store.tx(() => {
      if (deactivating) {
        const serving = this.store.endpoints.stagesServing(model.id).filter((s) => !STOPPED_STAGES.has(s.state));
        if (serving.length > 0) {
          const where = serving.map((s) => `stage "${s.stage}" of endpoint "${s.endpoint}" (${s.state})`).join(', ');
          throw conflict(
            `model "${model.name}" version ${model.version} is served by ${where}; stop it first (delete that stage or endpoint), then deactivate`,
          );
        }
      }
      if (changes.active === true && model.state === 'INACTIVE') {
        refuseOverCap(this.store.models.activeVersions(), this.options.maxActive);
      }
      return this.store.models.update(model, changes);
    });
    // a deactivated version's warm quick-test worker goes now, not when it idles out
    if (deactivating) await this.options.stopWorkers?.(model.id);
    return updated;
  }

  promote(ref: string, alias: string): Model {
    const model = this.find(ref);
    return this.store.tx(() => this.store.models.promote(model, alias));
  }

  async delete(ref: string, withSources = false): Promise<void> {
    const model = this.find(ref);
    if (withSources && model.state === 'ACTIVE') {
      throw conflict(
        `model "${model.name}" version ${model.version} is active; deactivate it first (emkit model deactivate ${model.name}:${model.version}), then delete it with its sources`,
      );
    }
    const serving = this.store.endpoints.stagesServing(model.id);
    if (serving.length > 0) {
      const where = serving.map((s) => `stage "${s.stage}" of endpoint "${s.endpoint}"`).join(', ');
      throw conflict(`model "${model.name}" version ${model.version} is served by ${where}; delete that stage or endpoint first`);
    }
    this.store.tx(() => this.store.models.delete(model.id));
    await this.options.stopWorkers?.(model.id);
    await rm(model.artifactPath, { recursive: true, force: true });
    if (withSources) await this.deleteSources(model);
  }

  /**
   * What made a deleted version: its training, when it is settled and no other version came from
   * it, then the datasets that training named that were uploaded (copy mode, no source path) and
   * that no other training or evaluation names. Each goes as its own delete would.
   */
  private async deleteSources(model: Model): Promise<void> {
    const trainingId = model.source.training?.id;
    const training = trainingId === undefined ? undefined : this.store.trainings.get(trainingId);
    if (!training || !isSettled(trainingStates, training.state)) return;
    if (this.store.models.otherVersionsFromTraining(training.id, model.id) > 0) return;
    await this.options.deleteTraining?.(training.id);
    const names = new Set(
      Object.values(training.datasets)
        .map((ref) => /^([^/:]+):[0-9]+$/.exec(ref)?.[1])
        .filter((name): name is string => name !== undefined),
    );
    for (const name of names) {
      const dataset = this.store.datasets.get(name);
      if (dataset?.mode !== 'copy' || dataset.source !== null) continue;
      if (this.store.datasets.users(name, { trainings: [training.id], model: model.id }).length > 0) continue;
      await this.options.deleteDataset?.(name);
    }
  }
}

/** Stages that serve nothing (failed, or deactivated): a deactivation needn't wait for them. */
const STOPPED_STAGES = new Set(['CREATE FAILED', 'DEPLOY FAILED', 'INACTIVE']);
