import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DashboardTarget } from '../clusters/service.js';
import type { BridgeContext } from '../context.js';
import { envelope, HttpError } from './errors.js';
import { forwardable } from './proxy-headers.js';
import { withoutCredentials } from './security.js';

export const CLUSTER_DASHBOARD_ROUTES = ['/clusters/:id/dashboard', '/clusters/:id/dashboard/*'] as const;

/**
 * The path a cluster dashboard's browser sessions are good for (and their cookie's Path): no
 * trailing slash, so `/clusters/{key}/dashboard` itself, which redirects to `…/`, gets it too.
 */
export const clusterDashboardScope = (key: string) => `/clusters/${encodeURIComponent(key)}/dashboard`;

/** How long Ray's dashboard may take to accept the connection: a head that is gone is a 503 in seconds, not a hang. */
const CONNECT_TIMEOUT_MS = 5000;
/** A request that goes quiet this long ends (the dashboard's slowest calls, a log download, keep bytes coming). */
const IDLE_TIMEOUT_MS = 60_000;

/** What the bridge's proxy never passes back: a cookie Ray sets would land on the bridge's own origin. */
const DROPPED_FROM_RAY = new Set(['set-cookie']);

/**
 * The path on Ray's dashboard that `url` (a request to `/clusters/{key}/dashboard…`) asks for,
 * less the bridge's credentials. The key is one path segment, so what follows it is Ray's.
 */
export function dashboardPath(url: string): string {
  const clean = withoutCredentials(url) ?? url;
  const afterKey = clean.slice('/clusters/'.length);
  const rest = afterKey.slice(afterKey.indexOf('/') + '/dashboard'.length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/**
 * A redirect Ray answers, made to point under the proxy: an absolute path (or an address on
 * the dashboard itself) would otherwise send the browser to the bridge's root.
 */
export function proxiedLocation(location: string, scope: string, address: string): string {
  const rest = location.startsWith(address) ? location.slice(address.length) : null;
  if (rest !== null && /^([/?#]|$)/.test(rest)) return `${scope}${rest.startsWith('/') ? rest : `/${rest}`}`;
  if (location.startsWith('/') && !location.startsWith('//')) return `${scope}${location}`;
  return location;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** A browser tab gets a page it can show (and look again from); anything else the JSON envelope. */
function unavailable(request: FastifyRequest, reply: FastifyReply, message: string): FastifyReply {
  reply.status(503).header('retry-after', '5');
  if (request.headers.accept?.includes('text/html')) {
    return reply
      .type('text/html; charset=utf-8')
      .send(`<!doctype html><meta http-equiv="refresh" content="5"><title>Ray dashboard</title><p>${escapeHtml(message)}</p>`);
  }
  return reply.send(envelope('not_ready', message));
}

/** One request to Ray's dashboard, with Ray's token; resolves once the answer has been piped back. */
function forward(request: FastifyRequest, reply: FastifyReply, target: DashboardTarget, scope: string): Promise<void> {
  const base = new URL(target.address);
  const send = base.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<void>((resolve) => {
    let connectTimer: NodeJS.Timeout | undefined;
    const failed = (error: Error) => {
      clearTimeout(connectTimer);
      if (!reply.sent && !reply.raw.headersSent) {
        unavailable(request, reply, `the Ray dashboard of cluster "${target.name}" did not answer: ${error.message}`);
      } else {
        reply.raw.destroy();
      }
      resolve();
    };
    const upstream: ClientRequest = send(
      {
        protocol: base.protocol,
        hostname: base.hostname.replace(/^\[|\]$/g, ''),
        port: base.port || (base.protocol === 'https:' ? 443 : 80),
        method: request.method,
        path: dashboardPath(request.url),
        agent: false,
        timeout: IDLE_TIMEOUT_MS,
        headers: {
          ...forwardable(request.headers),
          host: base.host,
          // Ray's token is the bridge's to add: the editor and the page never see it
          ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
        },
      },
      (response: IncomingMessage) => {
        clearTimeout(connectTimer);
        const headers = forwardable(response.headers, DROPPED_FROM_RAY);
        if (typeof headers.location === 'string') headers.location = proxiedLocation(headers.location, scope, target.address);
        // straight onto the socket: fastify's own send path is for bodies it makes
        reply.hijack();
        reply.raw.writeHead(response.statusCode ?? 502, headers);
        response.pipe(reply.raw);
        response.on('end', resolve);
        response.on('error', () => {
          reply.raw.destroy();
          resolve();
        });
      },
    );
    upstream.on('socket', (socket) => {
      if (!socket.connecting) return;
      connectTimer = setTimeout(
        () => upstream.destroy(new Error(`no connection within ${CONNECT_TIMEOUT_MS / 1000} s`)),
        CONNECT_TIMEOUT_MS,
      );
      socket.once('connect', () => clearTimeout(connectTimer));
    });
    upstream.on('timeout', () => upstream.destroy(new Error(`no answer for ${IDLE_TIMEOUT_MS / 1000} s`)));
    upstream.on('error', failed);
    // a client gone before the answer: nothing left to wait for
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) upstream.destroy();
    });
    const hasBody = request.headers['content-length'] !== undefined || request.headers['transfer-encoding'] !== undefined;
    // a body-less request ends at once: piping a request stream that has already ended would leave Ray waiting
    if (hasBody) request.raw.pipe(upstream);
    else upstream.end();
  });
}

/**
 * `/clusters/{key}/dashboard/…` → the cluster's Ray dashboard, with Ray's token added here.
 * Ray's dashboard is a single-page app that loads its assets and calls its API by relative
 * paths (and routes by the URL's hash), so it works under this prefix with paths passed
 * through unchanged; only redirects are pointed back under it. It opens no WebSocket. The
 * security hook in front has checked the bridge's token or the tab's session cookie.
 */
export async function registerClusterDashboardProxy(app: FastifyInstance, bridge: BridgeContext): Promise<void> {
  await app.register(async (scope) => {
    // leave every body unread: it is piped to Ray as it came
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));

    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const { id } = request.params as { id: string };
      const scopePath = clusterDashboardScope(id);
      if (new URL(request.url, 'http://bridge').pathname === scopePath) return reply.redirect(`${scopePath}/`);
      let target: DashboardTarget;
      try {
        target = bridge.clusters.dashboard(id);
      } catch (error) {
        if (error instanceof HttpError && error.status === 503) return unavailable(request, reply, error.message);
        throw error;
      }
      await forward(request, reply, target, scopePath);
      // a dashboard that has stopped answering: the cluster's state says so soon, not at the next poll
      if (reply.statusCode === 503) void bridge.clusters.check(target.id);
    };
    for (const url of CLUSTER_DASHBOARD_ROUTES) scope.all(url, { schema: { hide: true } }, handler);
  });
}
