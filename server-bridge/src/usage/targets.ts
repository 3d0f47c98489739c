import type { UsageProcessKind } from '@emkit/shared';
import { batchLayout, type ClusterWorkerUsage, RUNNER_STATES, type RunnerStatus } from '../batch-inferences/contract.js';
import { readStatusFile } from '../runtime/status-file.js';
import type { Store } from '../store/index.js';
import type { UsageResource } from '../store/usage.js';
import type { SupervisorStatus } from '../trainings/contract.js';
import { trainingLayout } from '../trainings/contract.js';
import { checkPushedSample, type RemoteSample } from './remote.js';
import type { SidecarSample } from './sidecar.js';

/** A stage's worker on this machine, as the endpoints' worker pools have it now. */
export interface LocalWorker {
  endpointId: string;
  stageId: string;
  stage: string;
  index: number;
  pid: number;
  /** its stage's limit as set now (PATCH changes it with no redeploy); null: none */
  memoryLimitMb: number | null;
}

/** One process to sample (with its children), and whose series it belongs to. */
export interface UsageTarget {
  /** unique in a round, and the same from round to round for the same process */
  key: string;
  pid: number;
  /** the resources it counts for: a TensorBoard counts for each training it shows */
  owners: { resource: UsageResource; id: string }[];
  process: string;
  kind: UsageProcessKind;
  stage: string | null;
  /** a stage worker: what the memory limit acts on */
  worker?: LocalWorker;
}

const TRAINING_STATES = ['CREATE IN PROGRESS', 'RUNNING', 'STOP IN PROGRESS', 'COMPLETE', 'FAIL TRAIN', 'STOPPED'];

/** What a round samples here, and what was sampled on clusters' nodes and reported in a status file. */
export interface RoundTargets {
  local: UsageTarget[];
  /** a batch job's workers on a Ray cluster, as they sampled themselves (status.json's clusterWorkers) */
  reported: RemoteSample[];
}

/**
 * Every process the bridge has started that runs on this machine now: the ranks of local
 * trainings (from their supervisors' status.json), the TensorBoards, the stages' workers and
 * the batch jobs' runners and their scoring workers, each worker its own series (`worker N`, as
 * the runner's status.json names them; the sidecar leaves them out of the runner's tree). A
 * training or a stage on a Ray cluster is left out: its processes run on the cluster's nodes,
 * out of this machine's sight (a cluster training's ranks push their own samples:
 * UsageService.remote); a batch job's runner runs here wherever its workers do, so it is sampled,
 * and its workers on a cluster, which sample themselves, are taken from its status.json while
 * their samples are younger than `maxAgeMs`.
 */
export function usageTargets(store: Store, workers: readonly LocalWorker[], maxAgeMs: number, now = Date.now()): RoundTargets {
  const targets: UsageTarget[] = [];
  const reported: RemoteSample[] = [];
  for (const training of store.trainings.unsettled()) {
    if (training.clusterId || training.state === 'CREATE REQUESTED') continue;
    const { status } = readStatusFile<SupervisorStatus>(trainingLayout(training.dir).status, TRAINING_STATES);
    for (const rank of status?.ranks ?? []) {
      if (rank.exitCode !== null) continue;
      targets.push({
        key: `trainings/${training.id}/rank/${rank.rank}/${rank.pid}`,
        pid: rank.pid,
        owners: [{ resource: 'trainings', id: training.id }],
        process: `rank ${rank.rank}`,
        kind: 'rank',
        stage: null,
      });
    }
  }
  for (const tensorboard of store.tensorboards.withState('RUNNING')) {
    if (tensorboard.pid === null || tensorboard.trainings.length === 0) continue;
    targets.push({
      key: `tensorboards/${tensorboard.id}/${tensorboard.pid}`,
      pid: tensorboard.pid,
      owners: tensorboard.trainings.map((t) => ({ resource: 'trainings', id: t.id })),
      process: 'tensorboard',
      kind: 'tensorboard',
      stage: null,
    });
  }
  for (const worker of workers) {
    targets.push({
      key: `endpoints/${worker.stageId}/${worker.index}/${worker.pid}`,
      pid: worker.pid,
      owners: [{ resource: 'endpoints', id: worker.endpointId }],
      process: `worker ${worker.index}`,
      kind: 'worker',
      stage: worker.stage,
      worker,
    });
  }
  for (const job of store.batchInferences.unsettled()) {
    const { status } = readStatusFile<RunnerStatus>(batchLayout(job.dir).status, RUNNER_STATES);
    const pid = job.runnerPid ?? status?.pid;
    if (!pid) continue;
    const owners = [{ resource: 'batch-inferences' as const, id: job.id }];
    targets.push({ key: `batch-inferences/${job.id}/${pid}`, pid, owners, process: 'runner', kind: 'batch-worker', stage: null });
    // a status.json of an earlier runner of the job (a restart) names workers that are gone, or not its
    if (status?.pid !== pid) continue;
    for (const remote of status.clusterWorkers ?? []) {
      const taken = clusterWorkerSample(job.id, remote, maxAgeMs, now);
      if (taken) reported.push(taken);
    }
    (status.workers ?? []).forEach((workerPid, i) => {
      if (!Number.isInteger(workerPid) || workerPid <= 0) return;
      targets.push({
        key: `batch-inferences/${job.id}/${pid}/worker/${workerPid}`,
        pid: workerPid,
        owners,
        process: `worker ${i + 1}`,
        kind: 'batch-worker',
        stage: null,
      });
    });
  }
  return { local: targets, reported };
}

/** A cluster worker's sample as the round takes it, or null when it is too old or not well formed. */
function clusterWorkerSample(jobId: string, remote: ClusterWorkerUsage, maxAgeMs: number, now: number): RemoteSample | null {
  if (!Number.isInteger(remote?.worker) || remote.worker <= 0 || typeof remote.sampledAt !== 'number') return null;
  if (now - remote.sampledAt * 1000 > maxAgeMs) return null;
  let sample: Omit<SidecarSample, 'key'>;
  try {
    sample = checkPushedSample(remote.sample);
  } catch {
    return null; // a runner's bug, not worth a failed round
  }
  // one series per worker, wherever (whichever pid) it runs: a resumed job's new actors carry on in it
  const key = `batch-inferences/${jobId}/cluster-worker/${remote.worker}`;
  return {
    target: {
      key,
      pid: sample.pid,
      owners: [{ resource: 'batch-inferences', id: jobId }],
      process: `worker ${remote.worker}`,
      kind: 'batch-worker',
      stage: null,
    },
    sample: { key, ...sample },
  };
}
