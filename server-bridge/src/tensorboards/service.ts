import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, rm, symlink } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { delimiter, dirname, join } from 'node:path';
import {
  canTransition,
  type ListQuery,
  type Tensorboard,
  type TensorboardCreate,
  type TensorboardList,
  type TensorboardState,
  tensorboardStates,
} from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import { childEnv } from '../runtime/child-env.js';
import { which } from '../runtime/process.js';
import { conflict, HttpError, notFound } from '../server/errors.js';
import { pageOf } from '../server/query-defaults.js';
import type { Store } from '../store/index.js';
import { publicTensorboard, type TensorboardRecord } from '../store/tensorboards.js';
import type { TrainingRecord } from '../store/trainings.js';
import { trainingLayout } from '../trainings/contract.js';

export interface TensorboardServiceOptions {
  /** `<home>/logs/tensorboards` */
  logDir: string;
  /** the bridge's own Python: its environment is the second place TensorBoard is looked for */
  python: string;
  /** the bridge's private (0700) socket folder, made ready by runtime/socket-dir.ts: each TensorBoard's socket is made there */
  socketDir: string;
  /** what goes first on PYTHONPATH so `emkit.tensorboard_host` is this bridge's own */
  emkitImportPath: string;
  /** a TensorBoard is gone (deleted): its browser sessions end with it */
  onDeleted?: (id: string) => void;
  log: FastifyBaseLogger;
  /** stop one nobody has looked at for this long */
  idleSeconds?: number;
  /** how long TensorBoard may take to answer after it starts */
  startTimeoutMs?: number;
}

export const TENSORBOARD_MISSING =
  "TensorBoard isn't installed where the bridge can find it: install it into the training's environment " +
  '(`pip install tensorboard`), or create an environment with the package `tensorboard`; ' +
  "the project's own .venv has it after `npm run setup`";

const DEFAULT_IDLE_SECONDS = 30 * 60;
const REAP_EVERY_MS = 30_000;
/** lastAccessAt is written at most this often (each proxied request would be too many writes) */
const TOUCH_EVERY_MS = 15_000;

/** The interpreter a `tensorboard` script runs with: its shebang (or pip's sh trampoline), else its folder's python. */
export function scriptPython(script: string): string {
  try {
    const head = readFileSync(script, 'utf8').slice(0, 1024);
    const shebang = /^#!\s*(\S+)/.exec(head)?.[1];
    if (shebang && /python[\d.]*$/.test(shebang)) return shebang;
    // pip writes `#!/bin/sh` and an `exec "/long/path/python"` line when the path is too long for a shebang
    const trampoline = /'''exec' "([^"]+)"/.exec(head)?.[1];
    if (trampoline) return trampoline;
  } catch {
    // not readable: fall back below
  }
  for (const name of ['python', 'python3']) if (existsSync(join(dirname(script), name))) return join(dirname(script), name);
  return 'python3';
}

/** GET over a Unix socket: the status, or an error (not listening yet). */
function getOverSocket(socketPath: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ socketPath, path, method: 'GET', timeout: 2000 }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
    request.end();
  });
}

function killGroup(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGTERM');
      return;
    } catch {
      // try the next
    }
  }
}

/**
 * The real `tensorboard`, one process per training or experiment, with one run per training
 * named after it, served under `/tensorboard/{id}/` by the bridge's authenticated proxy.
 * Idle ones are stopped; all stop with the bridge.
 */
export class TensorboardService {
  private readonly children = new Map<string, ChildProcess>();
  private readonly touched = new Map<string, number>();
  private reaper: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly options: TensorboardServiceOptions,
  ) {}

  /** Where the TensorBoard `id` listens: in the bridge's socket folder, which only its user may open. */
  socketPath(id: string): string {
    return join(this.options.socketDir, `${id}.sock`);
  }

  private record(id: string): TensorboardRecord {
    const record = this.store.tensorboards.get(id);
    if (!record) throw notFound('tensorboard', id);
    return record;
  }

  find(id: string): Tensorboard {
    return publicTensorboard(this.record(id));
  }

  list(query: ListQuery | undefined): TensorboardList {
    const { limit, offset } = pageOf(query);
    const page = this.store.tensorboards.list(limit, offset);
    return { items: page.items.map(publicTensorboard), total: page.total };
  }

  async create(input: TensorboardCreate): Promise<Tensorboard> {
    const { trainings, experimentId } = this.trainingsFor(input);
    const wanted = trainings
      .map((t) => t.id)
      .sort()
      .join(',');
    const same = [
      ...this.store.tensorboards.withState('RUNNING'),
      ...this.store.tensorboards.withState('CREATE IN PROGRESS'),
    ].find(
      (tb) =>
        tb.experimentId === experimentId &&
        tb.trainings
          .map((t) => t.id)
          .sort()
          .join(',') === wanted,
    );
    if (same) return publicTensorboard(same);

    const binary = this.findTensorboard(trainings);
    if (!binary) throw new HttpError(422, 'unprocessable', TENSORBOARD_MISSING);
    const record = this.store.tx(() =>
      this.store.tensorboards.insert({
        experimentId,
        trainings: trainings.map((t) => ({ id: t.id, name: t.name })),
        python: binary,
      }),
    );
    void this.start(record, binary, trainings).catch((error: Error) => {
      this.fail(record.id, error.message);
    });
    this.ensureReaper();
    return publicTensorboard(record);
  }

  private trainingsFor(input: TensorboardCreate): { trainings: TrainingRecord[]; experimentId: string | null } {
    if (input.training) {
      const training = this.store.trainings.get(input.training);
      if (!training) throw notFound('training', input.training);
      return { trainings: [training], experimentId: null };
    }
    const key = input.experiment as string;
    const experiment = this.store.experiments.get(key);
    if (!experiment) throw notFound('experiment', key);
    const trainings = this.store.trainings.list({ experimentId: experiment.id, limit: 1000, offset: 0 }).items;
    if (trainings.length === 0) throw conflict(`experiment "${experiment.name}" has no trainings yet`);
    return { trainings, experimentId: experiment.id };
  }

  /** The training's own environment first, then the bridge's, then any ACTIVE environment, then the PATH. */
  private findTensorboard(trainings: readonly TrainingRecord[]): string | null {
    const dirs = [
      ...trainings.map((t) => dirname(t.python)),
      dirname(which(this.options.python) ?? this.options.python),
      ...this.store.environments.withState('ACTIVE').map((e) => join(e.path, 'bin')),
    ];
    for (const dir of dirs) {
      const candidate = which('tensorboard', dir);
      if (candidate) return candidate;
    }
    return which('tensorboard');
  }

  private async start(record: TensorboardRecord, binary: string, trainings: readonly TrainingRecord[]): Promise<void> {
    await mkdir(this.options.logDir, { recursive: true });
    const socketPath = this.socketPath(record.id);
    await rm(socketPath, { force: true });
    // a folder of links named after the trainings (names are unique), so each run is called
    // "iris", where `--logdir_spec iris:dir` would call it "iris/."
    const runs = this.runsDir(record.id);
    await rm(runs, { recursive: true, force: true });
    await mkdir(runs);
    for (const training of trainings) await symlink(trainingLayout(training.dir).tensorboard, join(runs, training.name));
    const logFile = join(this.options.logDir, `${record.id}.log`);
    const log = openSync(logFile, 'a');
    const prefix = `/tensorboard/${record.id}`;
    let child: ChildProcess;
    try {
      // TensorBoard's WSGI app on a Unix socket in the bridge's private folder, with no TCP
      // listener (nor the fast data server's): only the bridge's proxy reaches it
      child = spawn(
        scriptPython(binary),
        ['-m', 'emkit.tensorboard_host', socketPath, '--logdir', runs, '--path_prefix', prefix, '--reload_interval', '5'],
        {
          // its own group, so stopping it stops all it starts; stdin is the pipe whose end tells it the bridge is gone
          detached: true,
          stdio: ['pipe', log, log],
          env: childEnv({
            PYTHONPATH: [this.options.emkitImportPath, process.env.PYTHONPATH].filter(Boolean).join(delimiter),
            PYTHONDONTWRITEBYTECODE: '1',
            TF_CPP_MIN_LOG_LEVEL: '2',
          }),
        },
      );
    } finally {
      closeSync(log);
    }
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve(child.pid as number));
    });
    child.stdin?.on('error', () => {});
    this.children.set(record.id, child);
    child.unref();
    let exited = false;
    child.once('exit', (code, signal) => {
      exited = true;
      this.children.delete(record.id);
      const current = this.store.tensorboards.get(record.id);
      if (current && current.state !== 'STOPPED') {
        const tail = readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n').trim();
        const how = signal ? `signal ${signal}` : `exit ${code}`;
        if (current.state === 'CREATE IN PROGRESS') this.fail(record.id, `tensorboard ended while starting (${how}):\n${tail}`);
        else this.moveTo(record.id, 'STOPPED', { stateReason: `tensorboard ended (${how})` });
      }
    });
    this.store.tx(() => this.store.tensorboards.update(record.id, { pid }));

    const deadline = Date.now() + (this.options.startTimeoutMs ?? 60_000);
    while (!exited && Date.now() < deadline) {
      try {
        if ((await getOverSocket(socketPath, `${prefix}/`)) === 200) {
          this.moveTo(record.id, 'RUNNING');
          return;
        }
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (!exited) {
      killGroup(pid);
      this.fail(
        record.id,
        `tensorboard didn't answer within ${Math.round((this.options.startTimeoutMs ?? 60_000) / 1000)} s; see ${logFile}`,
      );
    }
  }

  private fail(id: string, reason: string): void {
    if (this.moveTo(id, 'CREATE FAILED', { stateReason: reason, port: null })) {
      this.options.log.warn({ tensorboard: id }, 'tensorboard failed to start');
    }
  }

  /** Moves one along tensorboardStates; false (and nothing changes) when it is gone or may not go there from here. */
  private moveTo(id: string, state: TensorboardState, changes: { stateReason?: string; port?: null } = {}): boolean {
    const current = this.store.tensorboards.get(id);
    if (!current || !canTransition(tensorboardStates, current.state, state)) return false;
    this.store.tx(() => this.store.tensorboards.update(id, { state, ...changes }));
    return true;
  }

  /** The socket the proxy sends a request to; 503 while it starts. Counts as a use for the idle reaper. */
  target(id: string): string {
    const record = this.record(id);
    if (record.state === 'CREATE IN PROGRESS')
      throw new HttpError(503, 'not_ready', 'TensorBoard is starting; try again in a moment');
    if (record.state !== 'RUNNING') {
      throw new HttpError(
        409,
        'conflict',
        `this TensorBoard is ${record.state}${record.stateReason ? `: ${record.stateReason}` : ''}`,
      );
    }
    const now = Date.now();
    if (now - (this.touched.get(id) ?? 0) > TOUCH_EVERY_MS) {
      this.touched.set(id, now);
      this.store.tx(() => this.store.tensorboards.update(id, { lastAccessAt: new Date(now).toISOString() }, { quiet: true }));
    }
    return this.socketPath(id);
  }

  async delete(id: string): Promise<void> {
    const record = this.record(id);
    this.stopProcess(record);
    this.store.tx(() => this.store.tensorboards.delete(id));
    this.options.onDeleted?.(id);
    await rm(join(this.options.logDir, `${id}.log`), { force: true });
    await rm(this.runsDir(id), { recursive: true, force: true });
  }

  private runsDir(id: string): string {
    return join(this.options.logDir, `${id}.runs`);
  }

  private stopProcess(record: TensorboardRecord): void {
    const child = this.children.get(record.id);
    if (child?.pid) killGroup(child.pid);
    else if (record.pid !== null && this.isOurs(record)) killGroup(record.pid);
    this.children.delete(record.id);
    rm(this.socketPath(record.id), { force: true }).catch(() => {});
  }

  private isOurs(record: TensorboardRecord): boolean {
    if (record.pid === null) return false;
    try {
      return readFileSync(`/proc/${record.pid}/cmdline`, 'utf8').includes(`/tensorboard/${record.id}`);
    } catch {
      return false;
    }
  }

  private stop(record: TensorboardRecord, reason: string): void {
    this.stopProcess(record);
    this.moveTo(record.id, 'STOPPED', { stateReason: reason, port: null });
  }

  /** Stop the idle ones. */
  reap(now = Date.now()): void {
    const idleMs = (this.options.idleSeconds ?? DEFAULT_IDLE_SECONDS) * 1000;
    for (const record of this.store.tensorboards.withState('RUNNING')) {
      const last = Math.max(Date.parse(record.lastAccessAt), this.touched.get(record.id) ?? 0);
      if (now - last > idleMs) this.stop(record, `stopped after ${Math.round(idleMs / 60_000)} min without a visit`);
    }
  }

  private ensureReaper(): void {
    if (this.reaper) return;
    const every = Math.min(REAP_EVERY_MS, Math.max(1000, ((this.options.idleSeconds ?? DEFAULT_IDLE_SECONDS) * 1000) / 4));
    this.reaper = setInterval(() => this.reap(), every);
    this.reaper.unref();
  }

  /** At start: a TensorBoard of a previous bridge is not ours to serve any more. */
  reconcile(): void {
    for (const state of ['RUNNING', 'CREATE IN PROGRESS'] as const) {
      for (const record of this.store.tensorboards.withState(state)) this.stop(record, 'the bridge restarted; start it again');
    }
  }

  shutdown(): void {
    if (this.reaper) clearInterval(this.reaper);
    for (const record of [
      ...this.store.tensorboards.withState('RUNNING'),
      ...this.store.tensorboards.withState('CREATE IN PROGRESS'),
    ]) {
      this.stop(record, 'the bridge stopped');
    }
  }
}
