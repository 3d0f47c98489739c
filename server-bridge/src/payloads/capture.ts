/**
 * What payload logging does to a request and its answer before they are stored: one field of the
 * body (`instances`, `predictions`), redacted, then capped.
 *
 * The body is read as bytes by a small JSON scanner rather than parsed and stringified again:
 * the parse's objects (and collecting them) were half of what a logged call cost, and the
 * field's text is mostly kept as sent, only the redacted values replaced. It checks the whole
 * body as JSON.parse would, and a body JSON.parse refuses is not logged.
 */

export const REDACTED = '[redacted]';
const REDACTED_JSON = `"${REDACTED}"`;

/** Deeper JSON is not logged: walking it (to redact, to store, to answer it back) would overflow the stack. */
export const MAX_DEPTH = 64;
/** Outside the logged field the body is only checked, to this depth (the scan's own recursion). */
const BODY_MAX_DEPTH = 1024;

export class TooDeep extends Error {
  constructor(levels = MAX_DEPTH) {
    super(`nested deeper than ${levels} levels`);
  }
}

/** The body is not JSON (what JSON.parse would refuse): its field is not logged. */
class NotJson extends Error {}

export interface Captured {
  /** JSON text; when cut, the JSON text of the cut string */
  json: string | null;
  truncated: boolean;
}

/**
 * The field `field` of a JSON object body, as JSON text with the value of every object member
 * named in `names` (at any depth) replaced by "[redacted]"; undefined when the body is empty,
 * not JSON, not an object or has no such field (of duplicates, the last, as JSON.parse keeps).
 * Throws TooDeep when the field nests deeper than MAX_DEPTH.
 */
export function redactedField(body: Buffer | null, field: string, names: Redaction): string | undefined {
  if (!body || body.length === 0) return undefined;
  try {
    return new FieldScan(body, field, names).run();
  } catch (error) {
    if (error instanceof NotJson) return undefined;
    throw error;
  }
}

/** The member names whose values are redacted, and their UTF-8 sizes (a key of another size is not decoded to compare). */
export class Redaction {
  readonly names: ReadonlySet<string>;
  readonly sizes: ReadonlySet<number>;

  constructor(names: Iterable<string>) {
    this.names = new Set(names);
    this.sizes = new Set([...this.names].map((name) => Buffer.byteLength(name)));
  }
}

/** `json` as is, or, over `maxBytes` (UTF-8), its first `maxBytes` as a JSON string. */
export function capped(json: string | undefined, maxBytes: number): Captured {
  if (json === undefined) return { json: null, truncated: false };
  // a string's length is at most its UTF-8 size: short ones need no byte count
  if (json.length <= maxBytes / 3 || Buffer.byteLength(json) <= maxBytes) return { json, truncated: false };
  // the cut may split a character: its leftover bytes decode to U+FFFD, dropped
  const cut = Buffer.from(json)
    .subarray(0, maxBytes)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
  return { json: JSON.stringify(cut), truncated: true };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** One scan of a body (RFC 8259's grammar), keeping where the field's value is and what in it is redacted. */
class FieldScan {
  private at = 0;
  /** the field's last value: [start, end) */
  private start = -1;
  private end = -1;
  /** redacted values within it, [start, end) pairs in order */
  private cuts: number[] = [];

  constructor(
    private readonly bytes: Buffer,
    private readonly field: string,
    private readonly redaction: Redaction,
  ) {}

  run(): string | undefined {
    this.space();
    // a body that isn't an object has no field, whatever else it is
    if (this.bytes[this.at] !== 0x7b) return undefined;
    this.object(0, false, true);
    this.finish();
    if (this.start < 0) return undefined;
    let text = '';
    let from = this.start;
    for (let i = 0; i < this.cuts.length; i += 2) {
      text += this.bytes.toString('utf8', from, this.cuts[i]) + REDACTED_JSON;
      from = this.cuts[i + 1] as number;
    }
    return text + this.bytes.toString('utf8', from, this.end);
  }

  private finish(): void {
    this.space();
    if (this.at !== this.bytes.length) throw new NotJson();
  }

  /** `inField`: within the field's value, where names are redacted and MAX_DEPTH holds */
  private value(depth: number, inField: boolean): void {
    const byte = this.bytes[this.at];
    if (byte === 0x7b) this.object(depth, inField, false);
    else if (byte === 0x5b) this.array(depth, inField);
    else if (byte === QUOTE) this.string();
    else if (byte === 0x74) this.literal('true');
    else if (byte === 0x66) this.literal('false');
    else if (byte === 0x6e) this.literal('null');
    else this.number();
  }

  /** The field's value is at depth 1 of the body: MAX_DEPTH counts from it, as a walk of its parse would. */
  private enter(depth: number, inField: boolean): void {
    if (inField ? depth > MAX_DEPTH : depth >= BODY_MAX_DEPTH) throw new TooDeep(inField ? MAX_DEPTH : BODY_MAX_DEPTH);
  }

  /** `top`: the body itself, whose member `field` is the one kept */
  private object(depth: number, inField: boolean, top: boolean): void {
    this.enter(depth, inField);
    this.at += 1;
    this.space();
    if (this.bytes[this.at] === 0x7d) {
      this.at += 1;
      return;
    }
    for (;;) {
      const keyStart = this.at;
      if (this.bytes[keyStart] !== QUOTE) throw new NotJson();
      const escaped = this.string();
      const keyEnd = this.at;
      this.space();
      if (this.bytes[this.at] !== 0x3a) throw new NotJson();
      this.at += 1;
      this.space();
      const valueStart = this.at;
      if (top && this.key(keyStart, keyEnd, escaped) === this.field) {
        // of duplicates the last is kept, as JSON.parse does
        this.cuts = [];
        this.value(depth + 1, true);
        this.start = valueStart;
        this.end = this.at;
      } else if (inField && this.named(keyStart, keyEnd, escaped)) {
        this.value(depth + 1, false);
        this.cuts.push(valueStart, this.at);
      } else this.value(depth + 1, inField);
      this.space();
      const next = this.bytes[this.at];
      this.at += 1;
      if (next === 0x7d) return;
      if (next !== 0x2c) throw new NotJson();
      this.space();
    }
  }

  private array(depth: number, inField: boolean): void {
    this.enter(depth, inField);
    this.at += 1;
    this.space();
    if (this.bytes[this.at] === 0x5d) {
      this.at += 1;
      return;
    }
    for (;;) {
      this.value(depth + 1, inField);
      this.space();
      const next = this.bytes[this.at];
      this.at += 1;
      if (next === 0x5d) return;
      if (next !== 0x2c) throw new NotJson();
      this.space();
    }
  }

  /** A string from its opening quote to past its closing one; answers whether it had escapes. */
  private string(): boolean {
    const bytes = this.bytes;
    let at = this.at + 1;
    let escaped = false;
    for (;;) {
      const byte = bytes[at];
      if (byte === undefined || byte < 0x20) throw new NotJson();
      if (byte === QUOTE) break;
      if (byte === BACKSLASH) {
        escaped = true;
        const next = bytes[at + 1];
        if (next === 0x75) {
          for (let i = 2; i < 6; i++) if (!isHex(bytes[at + i])) throw new NotJson();
          at += 6;
          continue;
        }
        // " \ / b f n r t
        if (
          next !== QUOTE &&
          next !== BACKSLASH &&
          next !== 0x2f &&
          next !== 0x62 &&
          next !== 0x66 &&
          next !== 0x6e &&
          next !== 0x72 &&
          next !== 0x74
        )
          throw new NotJson();
        at += 2;
        continue;
      }
      at += 1;
    }
    this.at = at + 1;
    return escaped;
  }

  private literal(word: string): void {
    for (let i = 0; i < word.length; i++) if (this.bytes[this.at + i] !== word.charCodeAt(i)) throw new NotJson();
    this.at += word.length;
  }

  /** -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
  private number(): void {
    const bytes = this.bytes;
    let at = this.at;
    if (bytes[at] === 0x2d) at += 1;
    if (bytes[at] === 0x30) at += 1;
    else if (isDigit(bytes[at])) while (isDigit(bytes[at])) at += 1;
    else throw new NotJson();
    if (bytes[at] === 0x2e) {
      at += 1;
      if (!isDigit(bytes[at])) throw new NotJson();
      while (isDigit(bytes[at])) at += 1;
    }
    if (bytes[at] === 0x65 || bytes[at] === 0x45) {
      at += 1;
      if (bytes[at] === 0x2b || bytes[at] === 0x2d) at += 1;
      if (!isDigit(bytes[at])) throw new NotJson();
      while (isDigit(bytes[at])) at += 1;
    }
    this.at = at;
  }

  private space(): void {
    const bytes = this.bytes;
    let at = this.at;
    for (;;) {
      const byte = bytes[at];
      if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) break;
      at += 1;
    }
    this.at = at;
  }

  /** Whether the key (a string's bytes, quotes included) is one of the names to redact. */
  private named(start: number, end: number, escaped: boolean): boolean {
    const { names, sizes } = this.redaction;
    if (names.size === 0 || (!escaped && !sizes.has(end - start - 2))) return false;
    return names.has(this.key(start, end, escaped));
  }

  private key(start: number, end: number, escaped: boolean): string {
    return escaped
      ? (JSON.parse(this.bytes.toString('utf8', start, end)) as string)
      : this.bytes.toString('utf8', start + 1, end - 1);
  }
}

const isDigit = (byte: number | undefined) => byte !== undefined && byte >= 0x30 && byte <= 0x39;
const isHex = (byte: number | undefined) =>
  byte !== undefined && ((byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66));
