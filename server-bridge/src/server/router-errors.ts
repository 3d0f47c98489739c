import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { envelope, HttpError } from './errors.js';

/** The Host, Origin and token checks every request goes through (see security.ts). */
export type Guard = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

const send = (reply: FastifyReply, error: HttpError) =>
  reply
    .code(error.status)
    .type('application/json; charset=utf-8')
    .send(JSON.stringify(envelope(error.code, error.message, error.field)));

function describe(error: FastifyError): HttpError {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return new HttpError(414, 'bad_request', 'a path segment of this URL is too long for any route; names and ids are short');
  }
  if (error.code === 'FST_ERR_BAD_URL') {
    return new HttpError(400, 'bad_request', 'the URL is malformed (a broken %-escape?); encode each path segment');
  }
  return new HttpError(500, 'internal', 'the bridge failed on this request; its log has the details');
}

/**
 * fastify answers an unroutable URL (a bad %-escape, a segment past the router's limit)
 * before any hook runs. Here it goes through the same checks as every request first, so
 * a foreign Host or a missing token is told no more than anywhere else, and the answer
 * is the error envelope.
 */
export function routerErrorHandler(guard: () => Guard | undefined) {
  return async (error: FastifyError, request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    // no route matched, so nothing parsed the query string: the checks read it as empty
    (request as { query: unknown }).query = {};
    try {
      await guard()?.(request, reply);
      // answered by the checks themselves (a CORS preflight)
      if (reply.sent) return;
    } catch (refusal) {
      // nothing above awaits this handler: an error thrown on would be an unhandled rejection
      if (!(refusal instanceof HttpError)) request.log.error({ err: refusal }, 'checking a request the router refused');
      send(reply, refusal instanceof HttpError ? refusal : describe({ code: 'internal' } as FastifyError));
      return;
    }
    const described = describe(error);
    if (described.status >= 500) request.log.error({ err: error }, 'router error');
    send(reply, described);
  };
}
