import type { ErrorCode, ErrorEnvelope } from '@emkit/shared';
import type { FastifyError, FastifyInstance } from 'fastify';

/** Thrown by handlers and services; becomes the JSON error envelope with its status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string, key: string) => new HttpError(404, 'not_found', `${what} "${key}" doesn't exist`);
export const conflict = (message: string) => new HttpError(409, 'conflict', message);

export const envelope = (code: ErrorCode, message: string, field?: string): ErrorEnvelope => ({
  error: field ? { code, message, field } : { code, message },
});

interface AjvError {
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
  parentSchema?: { description?: string; patternProperties?: object };
}

/** "body.packages[2]: must match pattern …" — names the field a user has to fix. */
function describeValidation(error: FastifyError): { message: string; field: string } {
  const first = (error.validation?.[0] ?? { instancePath: '', params: {} }) as AjvError;
  const part = error.validationContext ?? 'request';
  const segments = first.instancePath.split('/').filter(Boolean);
  const extra = (first.params.missingProperty ?? first.params.additionalProperty) as string | undefined;
  if (extra) segments.push(extra);
  const field = segments.reduce((path, s) => (/^\d+$/.test(s) ? `${path}[${s}]` : path ? `${path}.${s}` : s), '');
  const keyed = first.params.additionalProperty !== undefined && first.parentSchema?.patternProperties !== undefined;
  let message = keyed
    ? `is not a valid key${first.parentSchema?.description ? ` (${first.parentSchema.description})` : ''}`
    : first.params.additionalProperty
      ? 'is not a known field'
      : (first.message ?? 'is invalid');
  if (first.parentSchema?.description && first.params.pattern) message += ` (${first.parentSchema.description})`;
  return { field, message: `${part}${field ? `.${field}` : ''}: ${message}` };
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpError) {
      return reply.status(error.status).send(envelope(error.code, error.message, error.field));
    }
    if (error.validation) {
      const { message, field } = describeValidation(error);
      return reply.status(400).send(envelope('validation', message, field));
    }
    switch (error.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return reply.status(400).send(envelope('bad_request', `the body is not valid JSON: ${error.message}`));
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply.status(413).send(envelope('payload_too_large', error.message));
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return reply.status(415).send(envelope('bad_request', 'send the body as application/json'));
    }
    if (error.statusCode && error.statusCode < 500) {
      return reply.status(error.statusCode).send(envelope('bad_request', error.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send(envelope('internal', 'the bridge failed on this request; its log has the details'));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(envelope('not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}
