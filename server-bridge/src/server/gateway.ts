import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { type RouteDef, routes } from '@emkit/shared';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BridgeContext } from '../context.js';
import { ServePool } from '../endpoints/serve-pool.js';
import type { EndpointRoute, StageRuntime } from '../endpoints/service.js';
import { WorkerConnectionError } from '../endpoints/worker-client.js';
import type { Instance } from '../endpoints/worker-pool.js';
import { HttpError } from './errors.js';
import { PROTOCOL_ROUTES, registerProtocols } from './inference-protocols.js';
import { routeSchema } from './route-schema.js';

export const GATEWAY_ROUTES = ['infer', 'inferStage', 'kservePredict', ...PROTOCOL_ROUTES] as const;

export interface GatewayOptions {
  /** larger bodies get 413 before a worker sees them */
  bodyLimit: number;
  /** a worker that takes longer gets the caller a 504 */
  timeoutMs: number;
}

interface Answer {
  status: number;
  body: Buffer;
}

/** A worker's answer as the gateway passes it on: with the id it was logged under. */
export interface GatewayAnswer extends Answer {
  inferenceId: string;
}

/**
 * One prediction call of a stage, counted and logged: how every protocol reaches the
 * workers. A call the protocol already `refused` (a bad tensor) is counted and logged
 * with that answer, and goes to no worker. `answerAs` turns a worker's 200 body into the
 * protocol's before it is counted: an HttpError it throws (predictions that are no tensor)
 * is the caller's answer, so the stats and the log record what the caller got.
 */
export type StageCall = (
  stage: StageRuntime,
  body: Buffer,
  request: FastifyRequest,
  protocol?: { refused?: HttpError; answerAs?: (workerBody: Buffer, inferenceId: string) => Buffer },
) => Promise<GatewayAnswer>;

class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly code: 'not_found' | 'not_ready' | 'timeout',
    message: string,
  ) {
    super(message);
  }
}

const envelope = (code: string, message: string, field?: string) =>
  Buffer.from(JSON.stringify({ error: field ? { code, message, field } : { code, message } }));

/** One POST to a worker; a timeout becomes the caller's 504. */
async function forward(instance: Instance, body: Buffer, inferenceId: string, timeoutMs: number): Promise<Answer> {
  const client = instance.client;
  if (!client) throw new WorkerConnectionError('the worker is not ready', 'ENOTREADY', false);
  try {
    return await client.post('/predict', body, `X-Inference-Id: ${inferenceId}\r\n`, timeoutMs);
  } catch (error) {
    if (error instanceof WorkerConnectionError && error.code === 'ETIMEDOUT') {
      throw new GatewayError(504, 'timeout', error.message);
    }
    throw error;
  }
}

/** The worker's 200 in the protocol's form, or the protocol's refusal of it as an error envelope. */
function protocolAnswer(answer: Answer, answerAs: (workerBody: Buffer) => Buffer): Answer {
  try {
    return { status: 200, body: answerAs(answer.body) };
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    return { status: error.status, body: envelope(error.code, error.message, error.field) };
  }
}

/**
 * The stage a request is for: `/inference/{endpoint}` the default, `/inference/{endpoint}/{stage}`
 * a named one (also at its resource path after that), or the default one at its resource
 * path (`/inference/{endpoint}/predict`).
 */
function stageFor(route: EndpointRoute, stageName: string | undefined, rest: string | undefined): StageRuntime {
  if (stageName === undefined) {
    if (route.defaultStage) return route.defaultStage;
    throw new GatewayError(404, 'not_found', `endpoint "${route.name}" has no default stage`);
  }
  const named = route.stages.get(stageName);
  if (named && (rest === undefined || named.resourcePath === `/${rest}`)) return named;
  const path = rest === undefined ? `/${stageName}` : `/${stageName}/${rest}`;
  if (route.defaultStage && route.defaultStage.resourcePath === path) return route.defaultStage;
  throw new GatewayError(404, 'not_found', `endpoint "${route.name}" has no stage at "${path}"`);
}

/**
 * POST /inference/{endpoint}[/{stage}] and the KServe V1 path: the body goes, unread, to the
 * READY worker of the stage with the fewest requests in flight; the answer comes back as
 * the worker gave it, with an inference id. No worker ready: 503 at once, never a wait.
 * Every call is counted in the stage's minute and logged (Inference.Request / Response).
 */
export async function registerGateway(app: FastifyInstance, bridge: BridgeContext, options: GatewayOptions): Promise<void> {
  const endpoints = bridge.endpoints;
  const logs = endpoints.logs;
  const payloads = bridge.payloads.writer;

  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    const params = request.params as { endpoint: string; stage?: string; '*'?: string };
    const route = endpoints.route(params.endpoint);
    if (!route) {
      return reply.status(404).send({ error: { code: 'not_found', message: `endpoint "${params.endpoint}" doesn't exist` } });
    }
    let stage: StageRuntime;
    try {
      stage = stageFor(route, params.stage, params['*'] || undefined);
    } catch (error) {
      const failure = error as GatewayError;
      return reply.status(failure.status).send({ error: { code: failure.code, message: failure.message } });
    }
    const answer = await call(stage, (request.body as Buffer | undefined) ?? Buffer.alloc(0), request);
    if (answer.status === 503) reply.header('retry-after', '1');
    return reply
      .status(answer.status)
      .header('content-type', 'application/json')
      .header('x-inference-id', answer.inferenceId)
      .send(answer.body);
  };

  const call: StageCall = async (stage, body, request, protocol = {}) => {
    const { refused, answerAs } = protocol;
    const started = performance.now();
    const inferenceId = randomUUID();
    const time = new Date().toISOString();
    // the size the caller sent, which a protocol's conversion may have changed
    const received = Buffer.isBuffer(request.body) ? request.body.length : body.length;
    logs.push({
      endpointId: stage.endpointId,
      endpointStageId: stage.id,
      stage: stage.name,
      inferenceId,
      action: 'Inference.Request',
      modelName: stage.modelName,
      logLevel: 'INFO',
      body: `${request.method} ${request.url.split('?')[0]} (${received} bytes)`,
      status: null,
      latencyMs: null,
      time,
    });
    stage.traffic.begin();
    let answer: Answer;
    let instance = refused || stage.inactive !== null ? undefined : stage.pool.pick();
    try {
      if (refused) throw refused;
      if (stage.inactive !== null) throw new GatewayError(503, 'not_ready', stage.inactive);
      if (!instance) {
        throw new GatewayError(
          503,
          'not_ready',
          `no worker of stage "${stage.name}" is ready (${describe(stage)}); try again shortly`,
        );
      }
      instance.inFlight += 1;
      try {
        answer = await forward(instance, body, inferenceId, options.timeoutMs);
      } catch (error) {
        // a worker gone between pick and send, or a keep-alive connection it had just closed:
        // predictions don't change anything, so a second try elsewhere (or anew) is safe
        if (error instanceof GatewayError) throw error;
        const again = error instanceof WorkerConnectionError && error.reused && instance.state === 'READY';
        const retryOn = stage.pool.pick(instance) ?? (again ? instance : undefined);
        instance.inFlight -= 1;
        instance = retryOn;
        if (!instance) throw error;
        instance.inFlight += 1;
        answer = await forward(instance, body, inferenceId, options.timeoutMs);
      }
    } catch (error) {
      let failure: GatewayError | HttpError;
      if (error instanceof GatewayError || (refused !== undefined && error === refused)) {
        failure = error as GatewayError | HttpError;
      } else {
        // the system's own word for it (ECONNREFUSED, ENOENT…) goes to the log and the caller
        const cause = error instanceof WorkerConnectionError ? error.code : 'EUNKNOWN';
        request.log.warn({ stage: stage.id, inferenceId, cause, err: error }, 'the worker could not answer');
        failure = new GatewayError(
          503,
          'not_ready',
          `the worker of stage "${stage.name}" went away while answering (${cause}); try again shortly`,
        );
      }
      answer = { status: failure.status, body: envelope(failure.code, failure.message, refused?.field) };
    } finally {
      if (instance) instance.inFlight -= 1;
    }
    // the worker's own answer, before a protocol's conversion: what payload logging keeps
    const workerAnswer = answer;
    if (answer.status === 200 && answerAs) answer = protocolAnswer(answer, (workerBody) => answerAs(workerBody, inferenceId));
    const ms = performance.now() - started;
    stage.traffic.end(answer.status, ms);
    logs.push({
      endpointId: stage.endpointId,
      endpointStageId: stage.id,
      stage: stage.name,
      inferenceId,
      action: 'Inference.Response',
      modelName: stage.modelName,
      logLevel: answer.status >= 500 ? 'ERROR' : answer.status >= 400 ? 'WARNING' : 'INFO',
      body: `${answer.status} in ${ms.toFixed(2)} ms`,
      status: answer.status,
      latencyMs: Math.round(ms * 1000) / 1000,
      time: new Date().toISOString(),
    });
    const logging = stage.monitoring.payloadLogging;
    if (logging.enabled) {
      payloads.offer(logging, {
        endpointId: stage.endpointId,
        stageId: stage.id,
        inferenceId,
        time,
        status: answer.status,
        request: body,
        answer: workerAnswer.status === 200 ? workerAnswer.body : null,
      });
    }
    return { ...answer, inferenceId };
  };

  await app.register(async (scope) => {
    // the body is the worker's to read: it is passed on as bytes, checked only for size
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.bodyLimit }, (_request, body, done) =>
      done(null, body),
    );
    await registerProtocols(scope, bridge, call);
    for (const name of ['infer', 'inferStage', 'kservePredict'] as const) {
      const route: RouteDef = routes[name];
      const schema = routeSchema(name, route);
      // documented in the OpenAPI document, not validated: the worker checks the body
      const noValidation = () => () => true;
      scope.route({ method: 'POST', url: route.url, schema, validatorCompiler: noValidation, handler: handle });
      if (name === 'inferStage') {
        scope.route({
          method: 'POST',
          url: `${route.url}/*`,
          schema: { hide: true },
          validatorCompiler: noValidation,
          handler: handle,
        });
      }
    }
  });
}

function describe(stage: StageRuntime): string {
  if (stage.pool instanceof ServePool) return stage.pool.describe();
  const states = stage.pool.instances.map((i) => i.state.toLowerCase());
  return states.join(', ');
}
