import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pino, { type Logger } from 'pino';

/** `/x?token=abc&since=3` → `/x?token=[redacted]&since=3` */
export function redactUrl(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/gi, '$1[redacted]');
}

/**
 * JSON lines to stderr (stdout stays for what the CLI prints) and, when asked, to a file.
 * Requests are logged without headers and with any token in the query string redacted.
 */
export function createLogger(options: { level?: string; file?: string; quiet?: boolean }): Logger {
  const streams: pino.StreamEntry[] = [];
  // each stream takes every level; the logger's own level does the filtering
  if (!options.quiet) streams.push({ level: 'trace', stream: process.stderr });
  if (options.file) {
    mkdirSync(dirname(options.file), { recursive: true });
    streams.push({ level: 'trace', stream: pino.destination({ dest: options.file, append: true, sync: false }) });
  }
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
