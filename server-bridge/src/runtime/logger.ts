import pino, { type Logger } from 'pino';
import { RotatingLog, type RotationOptions } from './rotating-log.js';
import { secretValues } from './secrets.js';

/** Query parameters whose value is a credential, whatever their case or encoding (`%74oken`, `TOKEN`). */
const CREDENTIAL_PARAMS = new Set(['token', 'ticket', 'api_key', 'apikey']);
const REDACTED = '[redacted]';

function decoded(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return text;
  }
}

const holdsSecret = (text: string) => {
  const plain = decoded(text);
  return secretValues().some((secret) => text.includes(secret) || plain.includes(secret));
};

/**
 * `/x?token=abc&since=3` → `/x?token=[redacted]&since=3`: a credential parameter, however
 * spelled or percent-encoded, and any path segment or value that holds a known secret.
 */
export function redactUrl(url: string): string {
  const queryAt = url.indexOf('?');
  const path = queryAt < 0 ? url : url.slice(0, queryAt);
  const query = queryAt < 0 ? undefined : url.slice(queryAt + 1);
  const cleanPath = path
    .split('/')
    .map((segment) => (holdsSecret(segment) ? REDACTED : segment))
    .join('/');
  if (query === undefined) return cleanPath;
  const cleanQuery = query
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals < 0 ? pair : pair.slice(0, equals);
      const value = equals < 0 ? '' : pair.slice(equals + 1);
      if (CREDENTIAL_PARAMS.has(decoded(name).trim().toLowerCase())) return `${name}=${REDACTED}`;
      if (holdsSecret(name)) return REDACTED;
      return holdsSecret(value) ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
  return `${cleanPath}?${cleanQuery}`;
}

/** The last word on a finished log line: no known secret leaves, however it got in (an error message, a header). */
export function scrubSecrets(line: string): string {
  let out = line;
  for (const secret of secretValues()) {
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join(REDACTED);
  }
  return out;
}

const scrubbing = (stream: { write(line: string): unknown; flushSync?: () => void }) => ({
  write: (line: string) => stream.write(scrubSecrets(line)),
  // pino's flush at shutdown reaches the file through this
  flushSync: () => stream.flushSync?.(),
});

/**
 * JSON lines to stderr (stdout stays for what the CLI prints) and, when asked, to a file
 * rotated by size. Requests are logged without headers and with credentials redacted;
 * every line is scrubbed of the secrets the bridge knows (runtime/secrets.ts).
 */
export function createLogger(options: { level?: string; file?: string; quiet?: boolean; rotation?: RotationOptions }): Logger {
  const streams: pino.StreamEntry[] = [];
  // each stream takes every level; the logger's own level does the filtering
  if (!options.quiet) streams.push({ level: 'trace', stream: scrubbing(process.stderr) });
  const file = options.file ? new RotatingLog(options.file, options.rotation) : undefined;
  if (file) streams.push({ level: 'trace', stream: scrubbing(file) });
  return pino(
    {
      level: options.level ?? 'info',
      serializers: {
        req: (req: { method: string; url: string; socket?: { remoteAddress?: string } }) => ({
          method: req.method,
          url: redactUrl(req.url),
          remoteAddress: req.socket?.remoteAddress,
        }),
      },
      redact: ['req.headers.authorization', 'token'],
    },
    pino.multistream(streams),
  );
}
