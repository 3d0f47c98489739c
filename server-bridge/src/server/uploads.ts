import type { RouteDef } from '@emkit/shared';
import type { FastifyInstance, FastifyRequest, FastifySchemaCompiler, RouteHandlerMethod } from 'fastify';
import { HttpError } from './errors.js';

/** `image/png; charset=…` is taken by `image/*` and by `image/png`; anything else is not. */
export function mediaTypeAllowed(contentType: string | undefined, allowed: readonly string[]): boolean {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type)) return false;
  return allowed.some((pattern) => (pattern.endsWith('/*') ? type.startsWith(pattern.slice(0, -1)) : type === pattern));
}

/**
 * A route of the table whose body is a file's raw bytes (`upload`): registered in a scope of
 * its own that reads any body as bytes, up to `limit` (413 past it), after its media type
 * has been checked (415) — before a byte of it is read. Its params and query are validated
 * as every route's are; the bytes are the handler's to judge.
 */
export async function registerUploadRoute(
  app: FastifyInstance,
  options: { route: RouteDef; schema: object; limit: number; why: string; handler: RouteHandlerMethod },
  validator: FastifySchemaCompiler<object>,
): Promise<void> {
  const { route, limit } = options;
  const allowed = route.upload ?? [];
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: limit }, (_request, body, done) => done(null, body));
    scope.route({
      method: route.method,
      url: route.url,
      // the OpenAPI document lists the media types the body may have
      schema: { ...options.schema, consumes: [...allowed] },
      bodyLimit: limit,
      validatorCompiler: (part) => (part.httpPart === 'body' ? () => true : validator(part)),
      preParsing: async (request: FastifyRequest) => {
        const type = request.headers['content-type'];
        if (!mediaTypeAllowed(type, allowed)) {
          throw new HttpError(
            415,
            'bad_request',
            `send the file's bytes as the body, with its media type (${allowed.join(', ')}), not ${type ? `"${type}"` : 'no Content-Type'}`,
          );
        }
        // said before a byte is read; a chunked body over the cap gets fastify's 413 while it is read
        if (Number(request.headers['content-length']) > limit) {
          throw new HttpError(
            413,
            'payload_too_large',
            `the file is over the ${(limit / 1024 / 1024).toFixed(2)} MB a file may have here (${options.why})`,
            'body',
          );
        }
      },
      handler: options.handler,
    });
  });
}
