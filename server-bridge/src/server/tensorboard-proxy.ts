import { request as httpRequest } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { BridgeContext } from '../context.js';
import { HttpError } from './errors.js';
import { forwardable } from './proxy-headers.js';
import { withoutCredentials } from './security.js';

export const TENSORBOARD_PREFIX = '/tensorboard/';

/**
 * The path a TensorBoard's browser sessions are good for (and their cookie's Path): no
 * trailing slash, so `/tensorboard/{id}` itself, which redirects to `…/`, gets the cookie too.
 */
export const tensorboardScope = (id: string) => `${TENSORBOARD_PREFIX}${id}`;

/**
 * `/tensorboard/{id}/…` → the TensorBoard process of that id, over its Unix socket (it
 * runs with that path prefix, so paths pass through unchanged, less any credential in
 * the query). Bodies are streamed both ways; the security hook in front has already
 * checked the token or the session cookie.
 */
export async function registerTensorboardProxy(app: FastifyInstance, bridge: BridgeContext): Promise<void> {
  await app.register(async (scope) => {
    // leave every body unread: it is piped to TensorBoard as it came
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));

    const handler = async (request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
      const { id } = request.params as { id: string };
      if (request.url === `${TENSORBOARD_PREFIX}${id}`) return reply.redirect(`${TENSORBOARD_PREFIX}${id}/`);
      let socketPath: string;
      try {
        socketPath = bridge.tensorboards.target(id);
      } catch (error) {
        if (error instanceof HttpError && error.status === 503 && request.headers.accept?.includes('text/html')) {
          // a browser tab opened right after the start: show it, and look again shortly
          return reply
            .status(503)
            .header('retry-after', '1')
            .type('text/html; charset=utf-8')
            .send(
              '<!doctype html><meta http-equiv="refresh" content="1"><title>TensorBoard</title><p>TensorBoard is starting…</p>',
            );
        }
        throw error;
      }
      return new Promise<void>((resolve) => {
        const upstream = httpRequest(
          {
            socketPath,
            method: request.method,
            // the token or a ticket never reaches TensorBoard, even on a request the hook let through
            path: withoutCredentials(request.url) ?? request.url,
            headers: { ...forwardable(request.headers), host: 'localhost' },
          },
          (response) => {
            // straight onto the socket: fastify's own send path is for bodies it makes
            reply.hijack();
            reply.raw.writeHead(response.statusCode ?? 502, forwardable(response.headers));
            response.pipe(reply.raw);
            response.on('end', resolve);
            response.on('error', () => {
              reply.raw.destroy();
              resolve();
            });
          },
        );
        upstream.on('error', (error) => {
          if (!reply.sent) {
            reply.status(502).send({ error: { code: 'internal', message: `TensorBoard did not answer: ${error.message}` } });
          }
          resolve();
        });
        const hasBody = request.headers['content-length'] !== undefined || request.headers['transfer-encoding'] !== undefined;
        // a body-less request ends at once: piping a request stream that has already ended
        // would leave TensorBoard waiting for a body
        if (hasBody) request.raw.pipe(upstream);
        else upstream.end();
      });
    };
    scope.all(`${TENSORBOARD_PREFIX}:id`, { schema: { hide: true } }, handler);
    scope.all(`${TENSORBOARD_PREFIX}:id/*`, { schema: { hide: true } }, handler);
  });
}
