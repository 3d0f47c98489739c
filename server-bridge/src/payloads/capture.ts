/** What payload logging does to a request and its answer before they are stored: redact, then cap. */

export const REDACTED = '[redacted]';

/** Deeper JSON is not logged: walking it (to redact, to store, to answer it back) would overflow the stack. */
export const MAX_DEPTH = 64;

export class TooDeep extends Error {
  constructor() {
    super(`nested deeper than ${MAX_DEPTH} levels`);
  }
}

/** Throws TooDeep when `value` nests deeper than MAX_DEPTH; copies nothing. */
export function checkDepth(value: unknown, depth = 0): void {
  if (value === null || typeof value !== 'object') return;
  if (depth >= MAX_DEPTH) throw new TooDeep();
  for (const item of Array.isArray(value) ? value : Object.values(value)) checkDepth(item, depth + 1);
}

/** A copy of `value` with the value of every object field named in `names` replaced, at any depth (checked first). */
export function redact(value: unknown, names: ReadonlySet<string>): unknown {
  if (names.size === 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, names));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = names.has(key) ? REDACTED : redact(item, names);
  return out;
}

/**
 * `redact` and `checkDepth` in one walk, changing `value` itself: for a parse of the logged body,
 * which no one else holds (a copy per logged call was most of what redaction cost). Throws TooDeep
 * past MAX_DEPTH, the value then half done: the caller drops it. A redacted field isn't walked.
 */
export function redactInPlace(value: unknown, names: ReadonlySet<string>, depth = 0): void {
  if (value === null || typeof value !== 'object') return;
  if (depth >= MAX_DEPTH) throw new TooDeep();
  if (Array.isArray(value)) {
    for (const item of value) redactInPlace(item, names, depth + 1);
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (names.has(key)) record[key] = REDACTED;
    else redactInPlace(record[key], names, depth + 1);
  }
}

export interface Captured {
  /** JSON text; when cut, the JSON text of the cut string */
  json: string | null;
  truncated: boolean;
}

/** `value` as JSON text, or, over `maxBytes` (UTF-8), its first `maxBytes` as a JSON string. */
export function capped(value: unknown, maxBytes: number): Captured {
  if (value === undefined) return { json: null, truncated: false };
  const json = JSON.stringify(value);
  // a string's length is at most its UTF-8 size: short ones need no byte count
  if (json.length <= maxBytes / 3 || Buffer.byteLength(json) <= maxBytes) return { json, truncated: false };
  // the cut may split a character: its leftover bytes decode to U+FFFD, dropped
  const cut = Buffer.from(json)
    .subarray(0, maxBytes)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
  return { json: JSON.stringify(cut), truncated: true };
}

/** The field of a worker's JSON body (`instances` of a request, `predictions` of an answer); undefined when it has none. */
export function fieldOf(body: Buffer | null, field: 'instances' | 'predictions'): unknown {
  if (!body || body.length === 0) return undefined;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    return (parsed as Record<string, unknown>)[field];
  } catch {
    return undefined;
  }
}
