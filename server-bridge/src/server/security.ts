import { createHash, timingSafeEqual } from 'node:crypto';
import { tokenFromSocketProtocols } from '@emkit/shared';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BrowserSessions } from './browser-sessions.js';
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
  /**
   * WebSocket routes: besides the header, they take the token in the `Sec-WebSocket-Protocol`
   * header (`emkit.bearer.<base64url token>`), which a browser can set, so it is never in the
   * address a browser console shows
   */
  socketRoutes: ReadonlySet<string>;
  /**
   * routes a browser tab opens (TensorBoard): a one-time `?ticket=` (or `?token=`) on a GET
   * is answered with a session cookie for `cookieScope(request)` and a redirect that takes
   * the credential out of the address bar
   */
  cookieRoutes?: ReadonlySet<string>;
  cookieScope?: (request: FastifyRequest) => string;
  sessions?: BrowserSessions;
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

/** Every value of a cookie: a browser sends one per matching path. */
function cookies(request: FastifyRequest, name: string): string[] {
  const values: string[] = [];
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) values.push(value.join('='));
  }
  return values;
}

/** The credentials an address may carry on a browser route; they never stay in it. */
export const ADDRESS_CREDENTIALS = ['token', 'ticket'] as const;

/** `url` less its credentials, as a path and query; null when it carried none. */
export function withoutCredentials(url: string): string | null {
  const parsed = new URL(url, 'http://bridge');
  if (!ADDRESS_CREDENTIALS.some((name) => parsed.searchParams.has(name))) return null;
  for (const name of ADDRESS_CREDENTIALS) parsed.searchParams.delete(name);
  return `${parsed.pathname}${parsed.search}`;
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

function bearer(request: FastifyRequest, socket: boolean): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  return socket ? tokenFromSocketProtocols(request.headers['sec-websocket-protocol']) : undefined;
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
      const scope = options.cookieScope?.(request) ?? '/';
      const clean = withoutCredentials(request.url);
      const browserRead = request.method === 'GET' || request.method === 'HEAD';
      const inSession = cookies(request, SESSION_COOKIE).some((value) => options.sessions?.check(value, scope) === true);
      if (inSession) {
        // a credential in the address of a tab that has its session already: out of the address bar
        if (clean !== null && browserRead) {
          reply.redirect(clean, 303);
          return reply;
        }
        return;
      }
      const query = new URL(request.url, 'http://bridge').searchParams;
      const fromQuery = query.get('token') ?? undefined;
      const ticket = query.get('ticket') ?? undefined;
      // GET only: a ticket is spent by the request that shows it
      const valid =
        request.method === 'GET' &&
        options.sessions !== undefined &&
        ((fromQuery !== undefined && tokenMatches(fromQuery, options.token)) ||
          (ticket !== undefined && options.redeemTicket?.(ticket) === true));
      if (valid && options.sessions) {
        const session = options.sessions.open(scope);
        reply.header(
          'set-cookie',
          `${SESSION_COOKIE}=${session.value}; Path=${scope}; Max-Age=${session.maxAgeSeconds}; HttpOnly; SameSite=Strict`,
        );
        reply.redirect(clean ?? request.url, 303);
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
    if (!tokenMatches(bearer(request, options.socketRoutes.has(route)), options.token)) {
      throw new HttpError(
        401,
        'unauthorized',
        'a valid token is needed: `Authorization: Bearer <token>` (see runtime.json in the emkit home)',
      );
    }
  };
  app.addHook('onRequest', guard);
  return guard;
}
