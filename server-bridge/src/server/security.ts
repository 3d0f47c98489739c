import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './errors.js';
import type { Guard } from './router-errors.js';

export interface SecurityOptions {
  token: string;
  /** host names the Host header may carry (DNS-rebinding guard) */
  allowedHosts: readonly string[];
  /** browser origins allowed to call: exact, or with a `:*` port wildcard */
  corsOrigins: readonly string[];
  /** routes (method + url pattern) that need no token */
  publicRoutes: ReadonlySet<string>;
  /** routes that may carry the token as `?token=` (WebSockets: browsers can't set their headers) */
  queryTokenRoutes: ReadonlySet<string>;
  /**
   * routes a browser tab opens (TensorBoard): `?token=` once, answered with a session
   * cookie for `cookiePath` and a redirect that takes the token out of the address bar
   */
  cookieRoutes?: ReadonlySet<string>;
  cookiePath?: string;
  /** a one-time `?ticket=` is taken where `?token=` is, on the cookie routes */
  redeemTicket?: (ticket: string) => boolean;
  /**
   * routes a model endpoint's callers use (the inference gateway): besides the token, the
   * endpoint's own API key (`X-Api-Key`, or as the bearer) is taken; `apiKeyHash` finds
   * the hash of the key of the endpoint a request is for
   */
  apiKeyRoutes?: ReadonlySet<string>;
  apiKeyHash?: (request: FastifyRequest) => string | null;
}

const SESSION_COOKIE = 'emkit_session';

/** The cookie holds a value derived from the token, never the token itself. */
export const sessionValue = (token: string) => createHash('sha256').update(`${token}:session`).digest('hex');

function cookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Constant-time: both sides hashed to the same length first, so length leaks nothing either. */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  return timingSafeEqual(digest(given), digest(expected));
}

export function originAllowed(origin: string, allowed: readonly string[]): boolean {
  return allowed.some((pattern) => {
    if (pattern === '*') return true;
    if (pattern.endsWith(':*')) {
      const base = pattern.slice(0, -2);
      return origin === base || (origin.startsWith(`${base}:`) && /^\d+$/.test(origin.slice(base.length + 1)));
    }
    return origin === pattern;
  });
}

function hostName(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  return hostHeader.split(':')[0];
}

function bearer(request: FastifyRequest, queryAllowed: boolean): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  if (!queryAllowed) return undefined;
  const query = request.query as { token?: unknown } | undefined;
  return typeof query?.token === 'string' ? query.token : undefined;
}

function setCorsHeaders(reply: FastifyReply, origin: string): void {
  reply.header('access-control-allow-origin', origin);
  reply.header('vary', 'Origin');
  reply.header('access-control-allow-credentials', 'false');
  reply.header('access-control-allow-headers', 'authorization, content-type');
  reply.header('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
  reply.header('access-control-max-age', '600');
}

/**
 * One hook in front of every route, the 404 handler and WebSocket upgrades:
 * Host check, then Origin check (with CORS for the editors), then the token.
 */
export function installSecurity(app: FastifyInstance, options: SecurityOptions): Guard {
  const hosts = new Set(options.allowedHosts.map((h) => h.toLowerCase()));
  const session = sessionValue(options.token);
  const guard: Guard = async (request, reply) => {
    const host = hostName(request.headers.host)?.toLowerCase();
    if (!host || !hosts.has(host)) {
      throw new HttpError(403, 'forbidden', `Host "${request.headers.host ?? ''}" is not allowed; use 127.0.0.1 or localhost`);
    }
    const origin = request.headers.origin;
    if (origin !== undefined) {
      const own = `http://${request.headers.host}`;
      if (origin !== own && !originAllowed(origin, options.corsOrigins)) {
        throw new HttpError(403, 'forbidden', `Origin "${origin}" is not allowed; add it with \`emkit serve --cors-origin\``);
      }
      setCorsHeaders(reply, origin);
      if (request.method === 'OPTIONS') {
        reply.status(204).send();
        return reply;
      }
    }
    const route = `${request.method} ${request.routeOptions.url ?? ''}`;
    if (options.publicRoutes.has(route)) return;
    if (options.cookieRoutes?.has(route)) {
      if (tokenMatches(cookie(request, SESSION_COOKIE), session)) return;
      const url = new URL(request.url, 'http://bridge');
      const fromQuery = url.searchParams.get('token') ?? undefined;
      const ticket = url.searchParams.get('ticket') ?? undefined;
      // GET only: a ticket is spent by the request that shows it
      const valid =
        request.method === 'GET' &&
        ((fromQuery !== undefined && tokenMatches(fromQuery, options.token)) ||
          (ticket !== undefined && options.redeemTicket?.(ticket) === true));
      if (valid) {
        url.searchParams.delete('token');
        url.searchParams.delete('ticket');
        reply.header('set-cookie', `${SESSION_COOKIE}=${session}; Path=${options.cookiePath ?? '/'}; HttpOnly; SameSite=Strict`);
        reply.redirect(`${url.pathname}${url.search}`, 303);
        return reply;
      }
    }
    if (options.apiKeyRoutes?.has(route)) {
      const header = request.headers['x-api-key'];
      const given = typeof header === 'string' ? header : bearer(request, false);
      if (tokenMatches(given, options.token)) return;
      const hash = options.apiKeyHash?.(request);
      if (hash && given && timingSafeEqual(digest(given), Buffer.from(hash, 'hex'))) return;
      throw new HttpError(
        401,
        'unauthorized',
        "a valid token is needed: the endpoint's API key as `X-Api-Key: <key>`, or `Authorization: Bearer <bridge token>`",
      );
    }
    if (!tokenMatches(bearer(request, options.queryTokenRoutes.has(route)), options.token)) {
      throw new HttpError(
        401,
        'unauthorized',
        'a valid token is needed: `Authorization: Bearer <token>` (see runtime.json in the emkit home)',
      );
    }
    // checked: keep it out of the route's own query validation
    delete (request.query as { token?: string }).token;
  };
  app.addHook('onRequest', guard);
  return guard;
}
