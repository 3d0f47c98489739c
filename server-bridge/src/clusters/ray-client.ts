import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * Ray's dashboard REST APIs (version, nodes, jobs, packages) over node:http: the bridge
 * stays Node, with no Ray SDK. Not `fetch()`: Ray takes the `Sec-Fetch-Mode` header fetch
 * sends for browser traffic and answers its POST/PUT/DELETE with 405 (shared/RAY.md).
 * Every call has a deadline, so an unreachable cluster is an error in seconds, never a hang.
 */
export class RayError extends Error {
  constructor(
    message: string,
    /** Ray's HTTP status; 0 when it wasn't reached at all */
    readonly status: number,
  ) {
    super(message);
  }
}

export interface RayClientOptions {
  /** the dashboard's address, http://HEAD:8265 */
  address: string;
  /** Ray's auth token, sent as `Authorization: Bearer` */
  token?: string | null;
  /** per call (default 3 s); uploads get longer */
  timeoutMs?: number;
}

export interface RayVersion {
  version: string;
  ray_version: string;
  ray_commit?: string;
  session_name?: string;
}

/** One entry of `GET /api/v0/nodes` (Ray's state API), as far as emkit reads it. */
export interface RayNodeState {
  node_id: string;
  node_ip: string;
  is_head_node: boolean;
  state: string;
  state_message?: string | null;
  node_name?: string;
  resources_total?: Record<string, number>;
}

export type RayJobStatus = 'PENDING' | 'RUNNING' | 'STOPPED' | 'SUCCEEDED' | 'FAILED';

export interface RayJobDetails {
  submission_id: string | null;
  job_id: string | null;
  status: RayJobStatus;
  message: string | null;
  entrypoint: string;
  start_time?: number | null;
  end_time?: number | null;
  driver_node_id?: string | null;
  driver_exit_code?: number | null;
}

export interface RayJobSubmit {
  entrypoint: string;
  submission_id?: string;
  runtime_env?: { working_dir?: string; env_vars?: Record<string, string>; pip?: string[]; [key: string]: unknown };
  metadata?: Record<string, string>;
  entrypoint_num_cpus?: number;
  entrypoint_num_gpus?: number;
  entrypoint_resources?: Record<string, number>;
}

/** One application of Serve's config (`PUT /api/serve/applications/`), as emkit writes it. */
export interface ServeApplicationConfig {
  name: string;
  route_prefix: string;
  import_path: string;
  runtime_env?: { working_dir?: string; env_vars?: Record<string, string>; [key: string]: unknown };
  args?: Record<string, unknown>;
  deployments?: Record<string, unknown>[];
  [key: string]: unknown;
}

/** Serve's whole config: the applications left out of a PUT are deleted. */
export interface ServeConfig {
  proxy_location?: 'EveryNode' | 'HeadOnly' | 'Disabled';
  http_options?: { host?: string; port?: number; [key: string]: unknown };
  applications: ServeApplicationConfig[];
}

export type ServeApplicationStatus = 'NOT_STARTED' | 'DEPLOYING' | 'DEPLOY_FAILED' | 'RUNNING' | 'UNHEALTHY' | 'DELETING';

export interface ServeReplica {
  replica_id: string;
  state: string;
  pid?: number | null;
  node_ip?: string | null;
}

export interface ServeApplicationDetails {
  name: string;
  status: ServeApplicationStatus;
  message: string;
  deployed_app_config?: ServeApplicationConfig | null;
  deployments: Record<string, { status: string; message?: string; replicas?: ServeReplica[] }>;
}

/** `GET /api/serve/applications/`, as far as emkit reads it. */
export interface ServeDetails {
  applications: Record<string, ServeApplicationDetails>;
}

interface RawResponse {
  status: number;
  body: Buffer;
}

export const DEFAULT_RAY_TIMEOUT_MS = 3000;

export class RayClient {
  private readonly base: URL;

  constructor(private readonly options: RayClientOptions) {
    this.base = new URL(options.address);
  }

  get address(): string {
    return this.options.address;
  }

  /** `GET /api/version`: which Ray answers there. */
  version(): Promise<RayVersion> {
    return this.json<RayVersion>('GET', '/api/version');
  }

  /** Every node Ray knows, alive or dead (`GET /api/v0/nodes`). */
  async nodes(): Promise<RayNodeState[]> {
    const answer = await this.json<{ result?: boolean; msg?: string; data?: { result?: { result?: RayNodeState[] } } }>(
      'GET',
      '/api/v0/nodes?limit=1000&timeout=2',
    );
    if (answer.result === false) throw new RayError(`Ray could not list its nodes: ${answer.msg || 'no reason given'}`, 500);
    return answer.data?.result?.result ?? [];
  }

  /** Whether a package (`_ray_pkg_<hash>.zip`) is in Ray's store. */
  async hasPackage(name: string): Promise<boolean> {
    const answer = await this.raw('GET', `/api/packages/gcs/${encodeURIComponent(name)}`);
    if (answer.status === 404) return false;
    if (answer.status === 200) return true;
    throw this.failure('GET', `/api/packages/gcs/${name}`, answer);
  }

  /** PUT a zip into Ray's store, as the working directory of the jobs that name it. */
  async uploadPackage(name: string, zip: Buffer): Promise<void> {
    const path = `/api/packages/gcs/${encodeURIComponent(name)}`;
    const answer = await this.raw('PUT', path, zip, 'application/octet-stream', Math.max(this.timeout, 60_000));
    if (answer.status !== 200) throw this.failure('PUT', path, answer);
  }

  /**
   * Upload the package unless Ray has it: check before every submit, since Ray collects a
   * package once the first job that used it ends (shared/RAY.md).
   */
  async ensurePackage(name: string, zip: Buffer): Promise<`gcs://${string}`> {
    if (!(await this.hasPackage(name))) await this.uploadPackage(name, zip);
    return `gcs://${name}`;
  }

  async submitJob(job: RayJobSubmit): Promise<{ submission_id: string; job_id?: string | null }> {
    return this.json('POST', '/api/jobs/', job, Math.max(this.timeout, 30_000));
  }

  job(id: string): Promise<RayJobDetails> {
    return this.json('GET', `/api/jobs/${encodeURIComponent(id)}`);
  }

  /** `{stopped: false}` when it had ended already. */
  stopJob(id: string): Promise<{ stopped: boolean }> {
    return this.json('POST', `/api/jobs/${encodeURIComponent(id)}/stop`);
  }

  async jobLogs(id: string): Promise<string> {
    return (await this.json<{ logs: string }>('GET', `/api/jobs/${encodeURIComponent(id)}/logs`)).logs;
  }

  /** Forget an ended job (Ray refuses while it runs). */
  async deleteJob(id: string): Promise<boolean> {
    return (await this.json<{ deleted: boolean }>('DELETE', `/api/jobs/${encodeURIComponent(id)}`)).deleted;
  }

  /** Serve's applications with their status and replicas (none yet: `applications` is empty). */
  async serveApplications(): Promise<ServeDetails> {
    // Serve's module of the dashboard reads its controller's state: seconds on a busy machine
    const details = await this.json<Partial<ServeDetails>>(
      'GET',
      '/api/serve/applications/',
      undefined,
      Math.max(this.timeout, 15_000),
    );
    return { applications: details.applications ?? {} };
  }

  /** Serve's whole config at once; Ray answers once it has taken it, and deploys behind. */
  async putServeApplications(config: ServeConfig): Promise<void> {
    const path = '/api/serve/applications/';
    const body = Buffer.from(JSON.stringify(config));
    // the first PUT starts Serve's controller: seconds on a busy machine
    const answer = await this.raw('PUT', path, body, 'application/json', Math.max(this.timeout, 60_000));
    if (answer.status !== 200) throw this.failure('PUT', path, answer);
  }

  private get timeout(): number {
    return this.options.timeoutMs ?? DEFAULT_RAY_TIMEOUT_MS;
  }

  private async json<T>(method: string, path: string, body?: unknown, timeoutMs?: number): Promise<T> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const answer = await this.raw(method, path, payload, payload ? 'application/json' : undefined, timeoutMs);
    if (answer.status < 200 || answer.status >= 300) throw this.failure(method, path, answer);
    try {
      return JSON.parse(answer.body.toString('utf8')) as T;
    } catch {
      throw new RayError(`Ray answered ${method} ${path} with something that isn't JSON`, answer.status);
    }
  }

  private failure(method: string, path: string, answer: RawResponse): RayError {
    const text = answer.body.toString('utf8').trim().slice(0, 500);
    const why =
      answer.status === 401 || answer.status === 403
        ? "Ray refused the token (give the cluster's token: --token-file, or `token` in the API)"
        : text || 'no reason given';
    return new RayError(`Ray answered ${method} ${path.split('?')[0]} with HTTP ${answer.status}: ${why}`, answer.status);
  }

  private raw(method: string, path: string, body?: Buffer, contentType?: string, timeoutMs?: number): Promise<RawResponse> {
    const url = new URL(path, this.base);
    const limit = timeoutMs ?? this.timeout;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.options.token) headers.Authorization = `Bearer ${this.options.token}`;
    if (body) {
      headers['Content-Type'] = contentType ?? 'application/octet-stream';
      headers['Content-Length'] = String(body.length);
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      // one deadline for the whole exchange: a server that accepts and then says nothing is unreachable too
      const timer = setTimeout(() => {
        request.destroy(new RayError(`Ray at ${this.options.address} didn't answer within ${limit / 1000} s`, 0));
      }, limit);
      const request = send(url, { method, headers, agent: false }, (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => {
          clearTimeout(timer);
          reject(error instanceof RayError ? error : new RayError(`reading Ray's answer failed: ${error.message}`, 0));
        });
        response.on('end', () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) });
        });
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (error instanceof RayError) return reject(error);
        reject(new RayError(`Ray at ${this.options.address} is not reachable (${error.code ?? error.message})`, 0));
      });
      request.end(body);
    });
  }
}
