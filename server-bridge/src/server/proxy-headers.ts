import type { IncomingHttpHeaders } from 'node:http';

/** Headers that belong to one hop, and the bridge's own credentials, which a proxied service must never see. */
const DROPPED = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'authorization',
  'cookie',
  'host',
]);

/** The headers a proxy passes on, less the hop's own, the credentials, and any `also` (lower-case names). */
export function forwardable(
  headers: IncomingHttpHeaders,
  also: ReadonlySet<string> = new Set(),
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !DROPPED.has(name) && !also.has(name)) out[name] = value;
  }
  return out;
}
