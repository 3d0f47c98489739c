import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isSettled, type RankPlacement, trainingStates } from '@emkit/shared';
import { conflict, HttpError } from '../server/errors.js';
import type { Store } from '../store/index.js';
import type { TrainingChanges, TrainingRecord } from '../store/trainings.js';
import { checkPushedSample, type RemoteSample } from '../usage/remote.js';
import { FINAL_SUPERVISOR_STATES, rankLog, type SupervisorStatus, trainingLayout } from './contract.js';

/** The folders a cluster training's ranks send back, as the training's layout names them. */
export const PUSHED_AREAS = ['model', 'checkpoints', 'tensorboard', 'artifacts'] as const;
export type PushedArea = (typeof PUSHED_AREAS)[number];

const STATES: readonly string[] = ['CREATE IN PROGRESS', 'RUNNING', 'STOP IN PROGRESS', ...FINAL_SUPERVISOR_STATES];

const invalid = (message: string, field?: string) => new HttpError(400, 'validation', message, field);

/** `a/b.txt` inside `root`, or an error: no empty, `.` or `..` parts, nothing absolute. */
export function pushedPath(root: string, path: string): string {
  const parts = path.split('/');
  if (path.includes('\0') || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw invalid(`"${path}" is not a relative path inside the folder`, 'path');
  }
  const target = resolve(root, ...parts);
  const inside = relative(root, target);
  if (inside.startsWith('..') || inside.startsWith(sep)) throw invalid(`"${path}" leaves the folder`, 'path');
  return target;
}

function rankOf(training: TrainingRecord, rank: string): number {
  if (/^\d{1,2}$/.test(rank) && Number(rank) < training.instanceCount) return Number(rank);
  throw invalid(`"${rank}" is no rank of this training`, 'rank');
}

function checkStatus(body: unknown): SupervisorStatus {
  const status = body as SupervisorStatus;
  if (typeof status !== 'object' || status === null || !STATES.includes(status.state)) {
    throw invalid('the status names no known state', 'state');
  }
  if (!Array.isArray(status.ranks)) throw invalid('ranks must be an array', 'ranks');
  return status;
}

/**
 * What a cluster training's driver and ranks push (shared/RAY.md: no shared filesystem): its
 * status, written whole as status.json for the supervision to read as a local one's; each
 * rank's output, appended to its rank log (tailed by the log streams); its files, each written
 * to a temporary file and renamed into the training's model, checkpoints, tensorboard or
 * artifacts folder. Nothing is taken once the training has settled.
 */
export class ClusterPushes {
  constructor(
    private readonly store: Store,
    private readonly onStatus: (id: string) => void,
  ) {}

  private open(training: TrainingRecord): void {
    if (!training.clusterId) throw conflict(`training "${training.name}" doesn't run on a cluster`);
    if (isSettled(trainingStates, training.state)) throw conflict(`training "${training.name}" is ${training.state}`);
  }

  async status(training: TrainingRecord, body: unknown): Promise<void> {
    this.open(training);
    const status = checkStatus(body);
    const layout = trainingLayout(training.dir);
    const temporary = `${layout.status}.push`;
    await writeFile(temporary, JSON.stringify(status));
    await rename(temporary, layout.status);
    const placement: RankPlacement[] = status.ranks
      .filter((r) => typeof (r as { node?: unknown }).node === 'string')
      .map((r) => {
        const placed = r as unknown as RankPlacement;
        return { rank: placed.rank, node: placed.node, nodeId: String(placed.nodeId ?? '') };
      });
    const changes: TrainingChanges = {};
    if (placement.length > 0 && JSON.stringify(placement) !== JSON.stringify(training.placement)) changes.placement = placement;
    // a start after a lost node (the driver counts them; never more than the training allows)
    const attempt = status.attempt;
    if (Number.isInteger(attempt) && attempt !== training.attempt) {
      changes.attempt = Math.min(Math.max(1, attempt as number), training.maxRetries + 1);
    }
    if (Object.keys(changes).length > 0) this.store.tx(() => this.store.trainings.update(training.id, changes));
    this.onStatus(training.id);
  }

  /** `rank` is a rank's number, or `supervisor` for the driver's own lines. */
  async log(training: TrainingRecord, rank: string, body: Readable): Promise<void> {
    this.open(training);
    const layout = trainingLayout(training.dir);
    const file = rank === 'supervisor' ? layout.supervisorLog : rankLog(layout, rankOf(training, rank));
    await pipeline(body, createWriteStream(file, { flags: 'a' }));
  }

  /**
   * A rank's process tree (its code and the children it starts) as its node sampled it: the
   * bridge can't see a node's processes, and Ray's dashboard lists only Ray's own worker
   * processes, each without its children, so the rank's code isn't among them. The usage
   * rounds take it from here (UsageService.remote), in the series `rank N` as a local rank's.
   */
  usage(training: TrainingRecord, rank: string, body: unknown): RemoteSample {
    this.open(training);
    const number = rankOf(training, rank);
    const sample = checkPushedSample(body);
    // one series per rank: a rank started again (a lost node) on a new pid carries on in it
    const key = `trainings/${training.id}/rank/${number}`;
    return {
      target: {
        key,
        pid: sample.pid,
        owners: [{ resource: 'trainings', id: training.id }],
        process: `rank ${number}`,
        kind: 'rank',
        stage: null,
      },
      sample: { key, ...sample },
    };
  }

  async file(training: TrainingRecord, area: string, path: string, body: Readable): Promise<void> {
    this.open(training);
    if (!(PUSHED_AREAS as readonly string[]).includes(area)) {
      throw invalid(`"${area}" is none of ${PUSHED_AREAS.join(', ')}`, 'area');
    }
    const root = trainingLayout(training.dir)[area as PushedArea];
    const target = pushedPath(root, path);
    await mkdir(dirname(target), { recursive: true });
    const temporary = join(dirname(target), `.${Date.now()}-${Math.random().toString(36).slice(2)}.push`);
    try {
      await pipeline(body, createWriteStream(temporary));
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
}
