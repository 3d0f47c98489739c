import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Where everything of one bridge lives; the same layout every run, so it survives restarts. */
export interface HomePaths {
  home: string;
  db: string;
  runtimeFile: string;
  tokenFile: string;
  envs: string;
  environmentLogs: string;
  trainings: string;
  /** one folder per evaluation: its spec, status, result, curves and runner log */
  evaluations: string;
  /** one folder per batch scoring job: its spec, status, manifest, runner log, and its output unless one was named */
  batchInferences: string;
  tensorboardLogs: string;
  /** one log per model worker */
  endpointLogs: string;
  /** one log per quick-test worker (POST /models/{id}/predict) */
  quickTestLogs: string;
  models: string;
  /** one folder per dataset, one per version in it: version.json, and data/ when copied in */
  datasets: string;
  /** user recipes (`<name>/source/`) and the built-ins' generated entry points (`builtin/<type>/train.py`) */
  recipes: string;
  /** one private folder per cluster, with its token (never in the database) */
  clusters: string;
  /** one log per node of a local cluster */
  clusterLogs: string;
  /**
   * private (0700): the Unix sockets of what the bridge starts — model workers, TensorBoards —
   * which only it may open; short, since a socket path has at most 107 bytes (runtime/socket-dir.ts)
   */
  sockets: string;
}

export function defaultHome(): string {
  return resolve(process.env.EMKIT_HOME || join(homedir(), '.emkit'));
}

export function homePaths(home: string): HomePaths {
  const root = resolve(home);
  return {
    home: root,
    db: join(root, 'emkit.db'),
    runtimeFile: join(root, 'runtime.json'),
    tokenFile: join(root, 'token'),
    envs: join(root, 'envs'),
    environmentLogs: join(root, 'logs', 'environments'),
    trainings: join(root, 'trainings'),
    evaluations: join(root, 'evaluations'),
    batchInferences: join(root, 'batch-inferences'),
    tensorboardLogs: join(root, 'logs', 'tensorboards'),
    endpointLogs: join(root, 'logs', 'endpoints'),
    quickTestLogs: join(root, 'logs', 'quick-tests'),
    models: join(root, 'models'),
    datasets: join(root, 'datasets'),
    recipes: join(root, 'recipes'),
    clusters: join(root, 'clusters'),
    clusterLogs: join(root, 'logs', 'clusters'),
    sockets: join(root, 'sock'),
  };
}

/** Jupyter's user data dir (what `jupyter --data-dir` prints), where kernel specs are found. */
export function defaultKernelsDir(): string {
  if (process.env.JUPYTER_DATA_DIR) return join(process.env.JUPYTER_DATA_DIR, 'kernels');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Jupyter', 'kernels');
  if (process.platform === 'win32') return join(process.env.APPDATA ?? homedir(), 'jupyter', 'kernels');
  return join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'jupyter', 'kernels');
}
