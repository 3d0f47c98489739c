import { cp, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { basename, isAbsolute, join } from 'node:path';
import type { Model, ModelCreate, ModelList, ModelListQuery, ModelUpdate } from '@emkit/shared';
import { conflict, HttpError, notFound } from '../server/errors.js';
import { pageOf } from '../server/query-defaults.js';
import type { Store } from '../store/index.js';
import { trainingLayout } from '../trainings/contract.js';
import { detectFramework, frameworkVersion } from './frameworks.js';

export interface ModelServiceOptions {
  /** `<home>/models`: the registry's copies of the artifacts */
  root: string;
  /** the interpreter asked for framework versions of artifacts that come from no training */
  python: string;
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
    let training: ReturnType<Store['trainings']['get']>;
    if (input.training !== undefined) {
      training = this.store.trainings.get(input.training);
      if (!training) throw notFound('training', input.training);
      if (training.state !== 'COMPLETE') {
        throw conflict(`training "${training.name}" is ${training.state}; models are made from COMPLETE trainings`);
      }
      from = trainingLayout(training.dir).model;
      python = training.python;
      if ((await readdir(from).catch(() => [])).length === 0) {
        throw unprocessable(`training "${training.name}" saved nothing in EM_MODEL_DIR (${from})`, 'training');
      }
    } else {
      from = input.artifactPath as string;
      if (!isAbsolute(from)) throw unprocessable(`the artifact path must be absolute, not "${from}"`, 'artifactPath');
      if (!(await stat(from).catch(() => undefined))) throw unprocessable(`the artifact ${from} does not exist`, 'artifactPath');
    }

    const id = this.store.models.newId();
    const artifactPath = join(this.options.root, input.name, id);
    await mkdir(artifactPath, { recursive: true });
    try {
      const info = await stat(from);
      await cp(from, info.isDirectory() ? artifactPath : join(artifactPath, basename(from)), { recursive: true });
      const framework = input.framework ?? (await detectFramework(artifactPath));
      if (!framework) {
        throw unprocessable(
          'the framework could not be told from the files (.joblib/.pkl, .pt, .onnx, saved_model.pb, predict.py); name it',
          'framework',
        );
      }
      const version = input.frameworkVersion ?? (await frameworkVersion(python, framework));
      const size = await measure(artifactPath);
      return this.store.tx(() =>
        this.store.models.insert(
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
        ),
      );
    } catch (error) {
      await rm(artifactPath, { recursive: true, force: true });
      throw error;
    }
  }

  update(ref: string, changes: ModelUpdate): Model {
    const model = this.find(ref);
    return this.store.tx(() => this.store.models.update(model, changes));
  }

  promote(ref: string, alias: string): Model {
    const model = this.find(ref);
    return this.store.tx(() => this.store.models.promote(model, alias));
  }

  async delete(ref: string): Promise<void> {
    const model = this.find(ref);
    const serving = this.store.endpoints.stagesServing(model.id);
    if (serving.length > 0) {
      const where = serving.map((s) => `stage "${s.stage}" of endpoint "${s.endpoint}"`).join(', ');
      throw conflict(`model "${model.name}" version ${model.version} is served by ${where}; delete that stage or endpoint first`);
    }
    this.store.tx(() => this.store.models.delete(model.id));
    await rm(model.artifactPath, { recursive: true, force: true });
  }
}
