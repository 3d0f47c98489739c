import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlacementStrategy } from '@emkit/shared';
import { type RayClient, RayError, type RayJobDetails, type RayJobStatus, type RayJobSubmit } from '../clusters/ray-client.js';
import { packageFolder } from '../clusters/ray-package.js';
import type { ClusterService } from '../clusters/service.js';
import { addSecret } from '../runtime/secrets.js';
import type { TrainingRecord } from '../store/trainings.js';
import { rankLog, type TrainingLayout, type TrainingSpec } from './contract.js';

/** What the driver (`python -m emkit.runner.ray_job`) reads from `EMKIT_RAY_SPEC`. */
export interface RayTrainingSpec {
  trainingId: string;
  trainingName: string;
  entryPoint: string;
  kind: TrainingSpec['kind'];
  hyperparameters: Record<string, string>;
  instanceCount: number;
  maxDurationSeconds: number | null;
  /** the EM_* contract; the driver points the folders at node-local ones and pushes them back */
  env: Record<string, string>;
  strategy: PlacementStrategy;
  cpusPerRank: number;
  /** how many times the driver starts the ranks again when a node of theirs is lost */
  maxRetries: number;
  /** `<bridge>/api/v1/trainings/<id>/push` */
  pushUrl: string;
  /**
   * One rank, run by the driver itself: the job's entrypoint holds the rank's CPUs
   * (`entrypoint_num_cpus`), a one-bundle placement group that costs no Ray client, group or
   * actor start on the way to the first line. Not with `maxRetries`: the driver's node lost is
   * the job lost, so a one-rank training that may start again runs its rank as an actor.
   */
  rankInDriver: boolean;
  /** how often each rank samples its process tree on its node and pushes it (the bridge's usage interval); 0: never */
  usageIntervalSeconds: number;
}

export const ENDED: readonly RayJobStatus[] = ['STOPPED', 'SUCCEEDED', 'FAILED'];

/** What each rank's bundle (or the one rank's driver) holds. */
export const CPUS_PER_RANK = 1;

/** How long a submit waits for the head's job agent when Ray says it has none yet. */
const AGENT_WAIT_MS = 60_000;

/** The address of the node a failed job's driver ran on, when Ray says that node is dead. */
async function lostDriverNode(ray: RayClient, job: RayJobDetails): Promise<string | undefined> {
  if (!job.driver_node_id) return undefined;
  const nodes = await ray.nodes().catch(() => []);
  const node = nodes.find((n) => n.node_id === job.driver_node_id);
  return node && node.state !== 'ALIVE' ? node.node_ip : undefined;
}

/** Where the training's Ray job is, as the bridge last found it. */
export type JobState = { ended: false } | { ended: true; status: RayJobStatus; message: string | null } | { unknown: string };

const pushTokenFile = (dir: string) => join(dir, 'push-token');
const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * A training on a Ray cluster: its source snapshot goes up as the job's working directory
 * (checked, and uploaded again if Ray collected it, before every submit), and the job's
 * entrypoint is emkit's driver, run by the nodes' own Python (which has emkit, as a local
 * cluster's nodes do) or, when the training's environment has pip requirements, by the
 * virtualenv Ray builds with them on each node. The driver pushes status, logs and files back to the bridge with a
 * credential of this training's own, kept in a private file in its folder.
 */
export class ClusterTrainingRuns {
  /** the address the nodes reach the bridge at; set once it listens */
  bridgeUrl = '';
  /** the bridge's usage interval: the ranks sample themselves as often */
  usageIntervalSeconds = 0;

  constructor(private readonly clusters: () => ClusterService) {}

  /** The Ray job of a training: one per training, named after it, so a restarted bridge finds it. */
  static jobId(training: Pick<TrainingRecord, 'id'>): string {
    return `emkit-training-${training.id}`;
  }

  async start(training: TrainingRecord, layout: TrainingLayout): Promise<void> {
    if (!training.clusterId) throw new Error(`training "${training.name}" has no cluster`);
    if (!this.bridgeUrl) throw new Error('the bridge does not know its own address yet');
    const spec = JSON.parse(readFileSync(layout.spec, 'utf8')) as TrainingSpec;
    const token = randomBytes(32).toString('hex');
    addSecret(token);
    writeFileSync(pushTokenFile(layout.dir), token, { mode: 0o600 });
    const ray = this.clusters().client(training.clusterId);
    const pkg = await packageFolder(layout.source);
    const workingDir = await ray.ensurePackage(pkg.name, pkg.zip);
    const pip = spec.clusterPip ?? null;
    // a rank in the driver shares the driver's node, whose loss ends the job: one that may start again runs as an actor
    const rankInDriver = spec.instanceCount === 1 && !training.maxRetries;
    const driver: RayTrainingSpec = {
      trainingId: training.id,
      trainingName: training.name,
      entryPoint: spec.entryPoint,
      kind: spec.kind,
      hyperparameters: spec.hyperparameters,
      instanceCount: spec.instanceCount,
      maxDurationSeconds: spec.maxDurationSeconds,
      env: spec.env,
      strategy: training.placementStrategy ?? 'SPREAD',
      cpusPerRank: CPUS_PER_RANK,
      maxRetries: training.maxRetries,
      pushUrl: `${this.bridgeUrl}/api/v1/trainings/${training.id}/push`,
      rankInDriver,
      usageIntervalSeconds: this.usageIntervalSeconds,
    };
    const job: RayJobSubmit = {
      entrypoint: 'python -m emkit.runner.ray_job',
      submission_id: ClusterTrainingRuns.jobId(training),
      runtime_env: {
        working_dir: workingDir,
        env_vars: { EMKIT_RAY_SPEC: JSON.stringify(driver), EMKIT_PUSH_TOKEN: token, PYTHONUNBUFFERED: '1' },
        // Ray installs them in a virtualenv of its own on each node the job reaches, cached while the nodes run
        ...(pip ? { pip } : {}),
      },
      ...(rankInDriver ? { entrypoint_num_cpus: CPUS_PER_RANK } : {}),
      metadata: { emkit_training: training.name },
    };
    // which Python the ranks get: the first line of rank 0's log, where the user reads what happened
    appendFileSync(
      rankLog(layout, 0),
      pip ? `[emkit] runtime env: pip ${JSON.stringify(pip)} on the nodes\n` : "[emkit] runtime env: the nodes' own Python\n",
    );
    // a head whose job agent isn't up yet (a cluster just started, a busy machine) says to try again later
    for (const deadline = Date.now() + AGENT_WAIT_MS; ; ) {
      try {
        await ray.submitJob(job);
        return;
      } catch (error) {
        const later = error instanceof RayError && /No available agent/i.test(error.message);
        if (!later || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  async state(training: TrainingRecord): Promise<JobState> {
    if (!training.clusterId) return { unknown: 'no cluster' };
    if (!this.clusters().get(training.clusterId)) {
      return { ended: true, status: 'FAILED', message: `cluster "${training.cluster}" was removed` };
    }
    try {
      const ray = this.clusters().client(training.clusterId);
      const job = await ray.job(ClusterTrainingRuns.jobId(training));
      if (!ENDED.includes(job.status)) return { ended: false };
      const lost = job.status === 'FAILED' ? await lostDriverNode(ray, job) : undefined;
      if (lost) {
        // the driver ran the one rank: its node is rank 0's
        const whose = training.instanceCount === 1 ? "rank 0's node" : "the driver's node";
        return { ended: true, status: job.status, message: `${whose} ${lost} was lost${job.message ? ` (${job.message})` : ''}` };
      }
      return { ended: true, status: job.status, message: job.message };
    } catch (error) {
      // a job Ray never heard of (the submit didn't get through) has ended, without a word
      if (error instanceof RayError && error.status === 404)
        return { ended: true, status: 'FAILED', message: 'Ray has no such job' };
      return { unknown: (error as Error).message };
    }
  }

  /** Ray's stop: the driver gets SIGTERM, stops the ranks and reports STOPPED; Ray kills it after a few seconds. */
  async stop(training: TrainingRecord): Promise<void> {
    if (!training.clusterId || !this.clusters().get(training.clusterId)) return;
    await this.clusters()
      .client(training.clusterId)
      .stopJob(ClusterTrainingRuns.jobId(training))
      .catch(() => undefined);
  }

  /** Whether `presented` is this training's push credential. */
  static accepts(dir: string, presented: string): boolean {
    let token: string;
    try {
      token = readFileSync(pushTokenFile(dir), 'utf8').trim();
    } catch {
      return false;
    }
    return token.length > 0 && timingSafeEqual(sha256(token), sha256(presented));
  }
}
