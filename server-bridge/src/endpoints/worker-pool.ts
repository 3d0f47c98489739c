import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import type { InstanceState, ModelFramework, StageInstance } from '@emkit/shared';
import { childEnv } from '../runtime/child-env.js';
import { WorkerClient } from './worker-client.js';

export interface PoolSpec {
  /** names the log files, `<logDir>/<key>-<index>.log`, and the sockets, `<socketDir>/<key>-<index>.sock` */
  key: string;
  python: string;
  modelDir: string;
  framework: ModelFramework;
  modelName: string;
  instanceCount: number;
  logDir: string;
  /** the bridge's private (0700) directory of worker sockets */
  socketDir: string;
  /** put first on PYTHONPATH: the bridge's own emkit package */
  emkitImportPath: string;
  maxBodyBytes: number;
  /** how long a worker may take to load its model and answer READY */
  startTimeoutMs?: number;
  /** how often an idle worker is asked for /health */
  healthEveryMs?: number;
}

const READY_LINE = /^EMKIT_WORKER_READY (\{.*\})$/m;
const DEFAULT_START_TIMEOUT_MS = 120_000;
const DEFAULT_HEALTH_EVERY_MS = 5_000;
const HEALTH_TIMEOUT_MS = 2_000;
const STOP_GRACE_MS = 8_000;
/** restarts back off from the first to the last, doubling */
const FIRST_BACKOFF_MS = 500;
const LAST_BACKOFF_MS = 30_000;
/** an instance that ended this many times in a row without being READY again is given up */
const MAX_FAILED_STARTS = 5;
/** READY this long before it ended: a fresh failure, not one more of a series */
const STABLE_MS = 30_000;

const howItEnded = (code: number | null, signal: NodeJS.Signals | null) => (signal ? `signal ${signal}` : `exit ${code}`);

function tail(file: string, lines = 12): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** One model worker process: a `python -m emkit.serving` and the keep-alive connections to it. */
export class Instance {
  state: InstanceState = 'STARTING';
  pid: number | null = null;
  restarts = 0;
  lastExit: string | null = null;
  inFlight = 0;
  client: WorkerClient | null = null;
  child: ChildProcess | null = null;
  readyAt = 0;
  failedStarts = 0;
  healthMisses = 0;
  /** why the pool killed it, when it did: said when it is started again */
  killedBecause: string | null = null;
  /** what its lastExit says once it has ended, instead of the signal (the memory limit) */
  exitBecause: string | null = null;
  timer: NodeJS.Timeout | null = null;

  constructor(readonly index: number) {}

  snapshot(): StageInstance {
    return {
      index: this.index,
      state: this.state,
      pid: this.pid,
      restarts: this.restarts,
      lastExit: this.lastExit,
      inFlight: this.inFlight,
    };
  }
}

export class DeployError extends Error {
  constructor(
    message: string,
    /** the worker could not even be started (no interpreter): CREATE FAILED, not DEPLOY FAILED */
    readonly beforeLaunch = false,
  ) {
    super(message);
  }
}

/**
 * The workers of one stage. Each is started in the model's environment, is READY once it
 * has loaded the model and said so on stdout, is asked for /health while idle, and is
 * started again with backoff when it ends or stops answering. `pick` balances requests
 * to the READY one with the fewest in flight.
 */
export class WorkerPool {
  readonly instances: Instance[];
  private stopping = false;
  private healthTimer: NodeJS.Timeout | null = null;
  private next = 0;

  constructor(
    private readonly spec: PoolSpec,
    /** an instance changed state: the stage shows it */
    private readonly onChange: (instance: Instance, reason: string | null) => void,
  ) {
    this.instances = Array.from({ length: spec.instanceCount }, (_, i) => new Instance(i));
  }

  /** Start every worker; resolves once all are READY, rejects with the first one's reason it could not be. */
  async start(onLaunched: () => void): Promise<void> {
    const ready = this.instances.map((instance) => this.launch(instance));
    await Promise.all(ready.map((r) => r.launched));
    onLaunched();
    await Promise.all(ready.map((r) => r.ready));
    this.healthTimer = setInterval(() => this.checkHealth(), this.spec.healthEveryMs ?? DEFAULT_HEALTH_EVERY_MS);
    this.healthTimer.unref();
  }

  /** The READY instance with the fewest requests in flight (round robin among equals). */
  pick(except?: Instance): Instance | undefined {
    let best: Instance | undefined;
    const count = this.instances.length;
    for (let i = 0; i < count; i += 1) {
      const instance = this.instances[(this.next + i) % count] as Instance;
      if (instance.state !== 'READY' || instance === except) continue;
      if (!best || instance.inFlight < best.inFlight) best = instance;
    }
    this.next = (this.next + 1) % count;
    return best;
  }

  readyCount(): number {
    return this.instances.filter((i) => i.state === 'READY').length;
  }

  allFailed(): boolean {
    return this.instances.every((i) => i.state === 'FAILED');
  }

  snapshot(): StageInstance[] {
    return this.instances.map((i) => i.snapshot());
  }

  /** SIGTERM: each worker finishes what it is answering (it drains), then exits; SIGKILL after a grace. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.healthTimer) clearInterval(this.healthTimer);
    await Promise.all(
      this.instances.map(async (instance) => {
        if (instance.timer) clearTimeout(instance.timer);
        const child = instance.child;
        if (child && child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
          await exited;
          clearTimeout(timer);
        }
        instance.state = 'STOPPED';
        instance.client?.destroy();
        instance.client = null;
      }),
    );
  }

  private launch(instance: Instance): { launched: Promise<void>; ready: Promise<void> } {
    const spec = this.spec;
    const logFile = join(spec.logDir, `${spec.key}-${instance.index}.log`);
    const log = openSync(logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(
        spec.python,
        [
          '-m',
          'emkit.serving',
          '--model-dir',
          spec.modelDir,
          '--framework',
          spec.framework,
          '--socket',
          join(spec.socketDir, `${spec.key}-${instance.index}.sock`),
          '--name',
          spec.modelName,
          '--max-body-bytes',
          String(spec.maxBodyBytes),
          '--stop-on-stdin-eof',
          '--die-with-parent',
        ],
        {
          // its own group: a Ctrl-C meant for the bridge is the bridge's to pass on, as a drain
          detached: true,
          stdio: ['pipe', 'pipe', log],
          env: childEnv({
            PYTHONPATH: [spec.emkitImportPath, process.env.PYTHONPATH].filter(Boolean).join(':'),
            PYTHONDONTWRITEBYTECODE: '1',
            PYTHONUNBUFFERED: '1',
            // instances are the unit of parallelism: one thread each keeps them off each other's cores
            OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? '1',
          }),
        },
      );
    } finally {
      closeSync(log);
    }
    instance.child = child;
    instance.state = 'STARTING';
    instance.killedBecause = null;
    const launched = new Promise<void>((resolve, reject) => {
      child.once('spawn', () => {
        instance.pid = child.pid ?? null;
        resolve();
      });
      child.once('error', (error) => reject(new DeployError(`cannot start ${spec.python}: ${error.message}`, true)));
    });
    const ready = new Promise<void>((resolve, reject) => {
      let stdout = '';
      const deadline = setTimeout(() => {
        child.kill('SIGKILL');
        reject(
          new DeployError(
            `worker ${instance.index} didn't load the model within ${Math.round((spec.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS) / 1000)} s; see ${logFile}`,
          ),
        );
      }, spec.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (chunk: string) => {
        if (instance.state !== 'STARTING') return;
        stdout += chunk;
        const match = READY_LINE.exec(stdout);
        if (!match) return;
        clearTimeout(deadline);
        const { socket } = JSON.parse(match[1] as string) as { socket: string };
        instance.client = new WorkerClient(socket, { onStall: (waitedMs) => this.hung(instance, waitedMs) });
        instance.state = 'READY';
        instance.readyAt = Date.now();
        instance.failedStarts = 0;
        instance.healthMisses = 0;
        this.onChange(instance, null);
        resolve();
      });
      child.once('exit', (code, signal) => {
        clearTimeout(deadline);
        const how = howItEnded(code, signal);
        instance.lastExit = instance.exitBecause ?? how;
        instance.exitBecause = null;
        instance.client?.destroy();
        instance.client = null;
        instance.pid = null;
        // killed as hung: it was serving until then, so it counts as a fresh failure
        const wasReady = instance.state === 'READY' || instance.killedBecause !== null;
        if (this.stopping) {
          instance.state = 'STOPPED';
          reject(new DeployError('the stage was stopped while it started'));
          return;
        }
        if (!wasReady && instance.restarts === 0) {
          // the first start: a model that can't load won't load on a second try either
          instance.state = 'FAILED';
          const words = tail(logFile);
          reject(new DeployError(`worker ${instance.index} ended before it was ready (${how})${words ? `:\n${words}` : ''}`));
          return;
        }
        this.restartLater(instance, how, wasReady);
      });
    });
    // the first start's outcome is for start(); later ones are reported through onChange
    ready.catch(() => {});
    launched.catch(() => {});
    return { launched, ready };
  }

  private restartLater(instance: Instance, how: string, wasReady: boolean): void {
    if (!wasReady || Date.now() - instance.readyAt < STABLE_MS) instance.failedStarts += 1;
    else instance.failedStarts = 1;
    if (instance.failedStarts > MAX_FAILED_STARTS) {
      instance.state = 'FAILED';
      this.onChange(instance, `worker ${instance.index} ended ${MAX_FAILED_STARTS} times in a row (last: ${how}); see its log`);
      return;
    }
    const delay = Math.min(LAST_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (instance.failedStarts - 1));
    instance.state = 'RESTARTING';
    const ended = instance.killedBecause ? `${instance.killedBecause}, so it was killed` : `ended (${how})`;
    this.onChange(
      instance,
      `worker ${instance.index} ${ended}; starting it again in ${delay >= 1000 ? `${delay / 1000} s` : `${delay} ms`}`,
    );
    instance.timer = setTimeout(() => {
      instance.timer = null;
      if (this.stopping) return;
      instance.restarts += 1;
      const { launched } = this.launch(instance);
      launched.catch((error: Error) => {
        instance.state = 'FAILED';
        this.onChange(instance, error.message);
      });
    }, delay);
  }

  /** An idle READY worker that misses two health checks in a row is killed, and so restarted. */
  private checkHealth(): void {
    for (const instance of this.instances) {
      // a busy worker proves it lives by answering; a long prediction must not get it killed
      // (one that stops answering while busy is caught by its requests' deadline: see `hung`)
      if (instance.state !== 'READY' || instance.inFlight > 0 || !instance.client) continue;
      const probe = httpRequest(
        { socketPath: instance.client.socketPath, path: '/health', agent: false, timeout: HEALTH_TIMEOUT_MS },
        (response) => {
          response.resume();
          if (response.statusCode === 200) instance.healthMisses = 0;
          else this.missed(instance);
        },
      );
      probe.on('timeout', () => probe.destroy(new Error('timeout')));
      probe.on('error', () => this.missed(instance));
      probe.end();
    }
  }

  /**
   * A request's deadline passed and the worker answered nothing at all meanwhile: it is
   * hung (or stopped), not slow on one request. Out of the rotation at once, so callers
   * get 503 (or another worker) instead of waiting for a deadline each; killed, and so
   * started again.
   */
  private hung(instance: Instance, waitedMs: number): void {
    if (instance.state !== 'READY' || this.stopping) return;
    instance.killedBecause = `answered nothing for ${waitedMs / 1000} s with ${instance.inFlight} request${instance.inFlight === 1 ? '' : 's'} in flight`;
    instance.state = 'RESTARTING';
    instance.client?.abort();
    instance.client = null;
    instance.child?.kill('SIGKILL');
  }

  /**
   * Over its stage's memory limit: out of the rotation and killed at once (as the kernel's OOM
   * killer would; a drain could take the machine's memory meanwhile), and so started again, its
   * lastExit saying why. Only a READY one: a start is judged by its own deadline (and the
   * deploy waits on it). False when it isn't READY, or is another process than the one sampled.
   */
  overMemory(index: number, pid: number, limitMb: number, rssMb: number): boolean {
    const instance = this.instances[index];
    // the pid sampled: not a worker started since
    if (!instance || this.stopping || instance.state !== 'READY' || instance.pid !== pid) return false;
    instance.killedBecause = `went over its memory limit of ${limitMb} MB (rss ${Math.round(rssMb)} MB)`;
    instance.exitBecause = `memory limit ${limitMb} MB exceeded (rss ${Math.round(rssMb)} MB)`;
    instance.state = 'RESTARTING';
    instance.client?.abort();
    instance.client = null;
    instance.child?.kill('SIGKILL');
    return true;
  }

  private missed(instance: Instance): void {
    instance.healthMisses += 1;
    if (instance.healthMisses >= 2 && instance.state === 'READY') instance.child?.kill('SIGKILL');
  }
}
