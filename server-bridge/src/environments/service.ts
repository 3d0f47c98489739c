import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  Environment,
  EnvironmentCreate,
  EnvironmentList,
  EnvironmentManagers,
  ListQuery,
  LogChunk,
  LogQuery,
} from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import { readLogChunk } from '../runtime/logs.js';
import type { HomePaths } from '../runtime/paths.js';
import { CommandError } from '../runtime/process.js';
import { conflict, HttpError, notFound } from '../server/errors.js';
import { logWindowOf, pageOf } from '../server/query-defaults.js';
import type { Store } from '../store/index.js';
import { isUniqueViolation } from '../store/rows.js';
import { buildEnvironment } from './builder.js';
import { kernelNameFor, removeKernelSpec, writeKernelSpec } from './kernels.js';
import { detectManagers } from './managers.js';
import { findPythons, pickPython } from './pythons.js';
import { checkRequirements } from './requirements.js';

export interface EnvironmentServiceOptions {
  kernelsDir: string;
  /** the interpreter venvs are made from by default */
  python: string;
  /** wheel or source folder of the emkit Python package, installed into every environment */
  emkitPackage: string;
  log: FastifyBaseLogger;
}

/**
 * Environments: validated and recorded at once, built in the background
 * (CREATE IN PROGRESS → ACTIVE or CREATE FAILED with the failing step's output),
 * registered as Jupyter kernels, removed with their kernel.
 */
export class EnvironmentService {
  private readonly running = new Map<string, AbortController>();
  private readonly settled = new Set<Promise<unknown>>();

  constructor(
    private readonly store: Store,
    private readonly paths: HomePaths,
    private readonly options: EnvironmentServiceOptions,
  ) {}

  find(key: string): Environment {
    const environment = this.store.environments.get(key);
    if (!environment) throw notFound('environment', key);
    return environment;
  }

  async managers(): Promise<EnvironmentManagers> {
    const pythons = await findPythons(this.options.python);
    return { managers: detectManagers(), pythons: pythons.map((p) => p.version) };
  }

  logFile(id: string): string {
    return join(this.paths.environmentLogs, `${id}.log`);
  }

  list(query: ListQuery | undefined): EnvironmentList {
    const { limit, offset } = pageOf(query);
    return this.store.environments.list(limit, offset);
  }

  readLog(key: string, query: LogQuery | undefined): Promise<LogChunk> {
    const { offset, limit } = logWindowOf(query);
    return readLogChunk(this.logFile(this.find(key).id), offset, limit);
  }

  async create(input: EnvironmentCreate): Promise<Environment> {
    if (input.requirements) checkRequirements(input.requirements);
    const manager = input.manager ?? 'venv';
    const info = detectManagers().find((m) => m.manager === manager);
    if (!info?.available) throw new HttpError(422, 'unprocessable', info?.note ?? `unknown manager ${manager}`, 'manager');
    let basePython = '';
    let python = input.python ?? '';
    if (manager === 'venv') {
      const found = await findPythons(this.options.python);
      const picked = pickPython(found, input.python);
      if (!picked) {
        const have = found.map((p) => p.version).join(', ') || 'none';
        throw new HttpError(
          422,
          'unprocessable',
          `Python ${input.python} isn't installed for venv (found: ${have}); install it, or use a conda-family manager`,
          'python',
        );
      }
      basePython = picked.path;
      python = input.python ?? picked.version;
    }
    const path = join(this.paths.envs, input.name);
    if (this.store.environments.get(input.name)) throw conflict(`an environment named "${input.name}" already exists`);
    if (existsSync(path)) {
      throw conflict(`the folder ${path} already exists but belongs to no environment; remove it or pick another name`);
    }
    let environment: Environment;
    try {
      environment = this.store.tx(() =>
        this.store.environments.insert({
          name: input.name,
          description: input.description ?? '',
          manager,
          python,
          packages: input.packages ?? [],
          requirements: input.requirements ?? '',
          path,
          kernelName: kernelNameFor(input.name),
        }),
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`an environment named "${input.name}" already exists`);
      throw error;
    }
    this.track(this.build(environment, basePython, info.binary));
    return environment;
  }

  async delete(key: string): Promise<Environment> {
    const environment = this.find(key);
    if (environment.state === 'CREATE IN PROGRESS') {
      throw conflict(`environment "${environment.name}" is still being created; delete it once it is ACTIVE or CREATE FAILED`);
    }
    if (environment.state === 'DELETE IN PROGRESS') return environment;
    const users = this.store.trainings.activeNamesForEnvironment(environment.id);
    if (users.length > 0) {
      throw conflict(
        `environment "${environment.name}" is in use by training ${users.map((n) => `"${n}"`).join(', ')}; stop them first`,
      );
    }
    const deleting = this.store.tx(() => this.store.environments.update(environment.id, { state: 'DELETE IN PROGRESS' }));
    this.track(this.remove(deleting));
    return deleting;
  }

  /** At start: finish what a previous bridge left half done. */
  reconcile(): void {
    for (const environment of this.store.environments.withState('CREATE IN PROGRESS')) {
      this.store.tx(() =>
        this.store.environments.update(environment.id, {
          state: 'CREATE FAILED',
          stateReason: 'the bridge stopped while this environment was being created; delete it and create it again',
        }),
      );
    }
    for (const environment of this.store.environments.withState('DELETE IN PROGRESS')) {
      this.track(this.remove(environment));
    }
  }

  /** Stop builds in flight (they become CREATE FAILED) and wait for the bookkeeping. */
  async shutdown(): Promise<void> {
    for (const controller of this.running.values()) controller.abort();
    await Promise.allSettled([...this.settled]);
  }

  private track(work: Promise<unknown>): void {
    this.settled.add(work);
    void work.finally(() => this.settled.delete(work));
  }

  private async build(environment: Environment, basePython: string, binary: string | null): Promise<void> {
    const controller = new AbortController();
    this.running.set(environment.id, controller);
    await mkdir(this.paths.environmentLogs, { recursive: true });
    await mkdir(this.paths.envs, { recursive: true });
    const log = createWriteStream(this.logFile(environment.id), { flags: 'a' });
    try {
      const built = await buildEnvironment({
        environment,
        basePython,
        binary,
        emkitPackage: this.options.emkitPackage,
        log,
        signal: controller.signal,
      });
      await writeKernelSpec(this.options.kernelsDir, environment, built.python, built.fullVersion);
      log.write(`kernel "${environment.kernelName}" registered in ${this.options.kernelsDir}\n`);
      this.store.tx(() => this.store.environments.update(environment.id, { state: 'ACTIVE', python: built.fullVersion }));
    } catch (error) {
      const reason = controller.signal.aborted
        ? 'the bridge stopped while this environment was being created; delete it and create it again'
        : error instanceof CommandError
          ? `${error.message}${error.tail ? `:\n${error.tail}` : ''}`
          : (error as Error).message;
      log.write(`\nCREATE FAILED: ${reason}\n`);
      this.options.log.warn({ environment: environment.name }, 'environment creation failed');
      this.store.tx(() => this.store.environments.update(environment.id, { state: 'CREATE FAILED', stateReason: reason }));
    } finally {
      this.running.delete(environment.id);
      await new Promise<void>((resolve) => log.end(resolve));
    }
  }

  private async remove(environment: Environment): Promise<void> {
    try {
      await removeKernelSpec(this.options.kernelsDir, environment.kernelName);
      await rm(environment.path, { recursive: true, force: true });
      await rm(this.logFile(environment.id), { force: true });
      this.store.tx(() => this.store.environments.delete(environment.id));
    } catch (error) {
      this.store.tx(() =>
        this.store.environments.update(environment.id, {
          state: 'DELETE FAILED',
          stateReason: `could not remove ${environment.path}: ${(error as Error).message}`,
        }),
      );
    }
  }
}
