import { type Translate, untranslated } from '../feeds/protocol.js';
import { DATASET_NAME_PATTERN, HYPERPARAMETER_KEY_PATTERN, TAG_KEY_PATTERN } from '../schemas/trainings.js';

/**
 * `key=value` pairs — hyperparameters, datasets, tags — as every front end takes them (the
 * CLI's repeated `--hp`, the editors' text boxes), with one rule:
 *
 * - an entry splits at its first `=`: the key before it, the value after it (which may hold
 *   more `=`; whether a value is allowed is the bridge's rule, and it names the field);
 * - the key must match the kind's pattern from the schemas, so a bad key is refused before
 *   anything is sent, in the same words everywhere;
 * - a value may be empty (`debug=`), except a dataset's, which is a path;
 * - a key given twice is refused rather than one of the two silently dropped;
 * - in text (the editors), entries are separated by spaces or line breaks, and a value with
 *   spaces is quoted as in a shell: `msg="hello world"` (`\"` and `\\` inside double quotes).
 */
export type PairKind = 'hyperparameter' | 'dataset' | 'tag';

export type PairProblem =
  | { problem: 'not-a-pair'; entry: string }
  | { problem: 'bad-key'; kind: PairKind; key: string }
  | { problem: 'no-value'; key: string }
  | { problem: 'twice'; key: string }
  | { problem: 'open-quote'; text: string };

const KEY_PATTERNS: Record<PairKind, RegExp> = {
  hyperparameter: new RegExp(HYPERPARAMETER_KEY_PATTERN),
  dataset: new RegExp(DATASET_NAME_PATTERN),
  tag: new RegExp(TAG_KEY_PATTERN),
};

/**
 * What each problem says, in English with `{0}` placeholders: the editors translate the same
 * texts (their catalog tests check each one), the CLI prints them as they are.
 */
export const PAIR_STRINGS = {
  'not-a-pair': '"{0}" is not key=value.',
  hyperparameter: '"{0}" is not a hyperparameter key: letters, digits, "_" and "-", starting with a letter or "_", at most 64.',
  dataset: '"{0}" is not a dataset name: letters, digits and "_", starting with a letter or "_", at most 50.',
  tag: '"{0}" is not a tag key: letters, digits and "_.:/-", at most 64.',
  'no-value': '"{0}" needs a value after "=".',
  twice: '"{0}" is given twice.',
  'open-quote': 'A quote is not closed in: {0}',
} as const;

export class PairsError extends Error {
  constructor(
    readonly detail: PairProblem,
    t: Translate = untranslated,
  ) {
    super(describePairProblem(detail, t));
    this.name = 'PairsError';
  }
}

/** The problem in the front end's language (`t` is the editor's translator; English by default). */
export function describePairProblem(detail: PairProblem, t: Translate = untranslated): string {
  switch (detail.problem) {
    case 'not-a-pair':
      return t(PAIR_STRINGS['not-a-pair'], detail.entry);
    case 'bad-key':
      return t(PAIR_STRINGS[detail.kind], detail.key);
    case 'no-value':
      return t(PAIR_STRINGS['no-value'], detail.key);
    case 'twice':
      return t(PAIR_STRINGS.twice, detail.key);
    case 'open-quote':
      return t(PAIR_STRINGS['open-quote'], detail.text);
  }
}

/** One entry into `pairs` (a new record): what the CLI does for each `--hp`. Throws a PairsError. */
export function addPair(pairs: Readonly<Record<string, string>>, entry: string, kind: PairKind): Record<string, string> {
  const at = entry.indexOf('=');
  if (at < 0) throw new PairsError({ problem: 'not-a-pair', entry });
  const key = entry.slice(0, at);
  const value = entry.slice(at + 1);
  if (!key) throw new PairsError({ problem: 'not-a-pair', entry });
  if (!KEY_PATTERNS[kind].test(key)) throw new PairsError({ problem: 'bad-key', kind, key });
  if (kind === 'dataset' && !value) throw new PairsError({ problem: 'no-value', key });
  if (Object.hasOwn(pairs, key)) throw new PairsError({ problem: 'twice', key });
  return { ...pairs, [key]: value };
}

/** Text from an editor's box into pairs: entries split at spaces and line breaks, quotes kept together. Throws a PairsError. */
export function parsePairs(text: string, kind: PairKind): Record<string, string> {
  let pairs: Record<string, string> = {};
  for (const entry of splitEntries(text)) pairs = addPair(pairs, entry, kind);
  return pairs;
}

/** The problem with the text, or null: for a box that says what is wrong while the user types. */
export function pairsProblem(text: string, kind: PairKind): PairProblem | null {
  try {
    parsePairs(text, kind);
    return null;
  } catch (error) {
    if (error instanceof PairsError) return error.detail;
    throw error;
  }
}

/** Pairs as text that parsePairs reads back the same: one per line, a value quoted when it must be. */
export function formatPairs(pairs: Readonly<Record<string, string>>, separator = '\n'): string {
  return Object.entries(pairs)
    .map(([key, value]) => `${key}=${/[\s"']/.test(value) ? `"${value.replace(/[\\"]/g, '\\$&')}"` : value}`)
    .join(separator);
}

/**
 * Shell-like words: whitespace separates, '…' is literal, "…" takes `\"` and `\\`. Hand-written
 * because a shell parser (shell-quote) would also expand `$VAR`, globs and `;`, which are
 * ordinary characters in a value here; a backslash outside quotes stays (Windows paths).
 */
function splitEntries(text: string): string[] {
  const entries: string[] = [];
  let current = '';
  let inEntry = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote === "'") {
      if (c === "'") quote = null;
      else current += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) current += text[++i];
      else current += c;
    } else if (/\s/.test(c)) {
      if (inEntry) entries.push(current);
      current = '';
      inEntry = false;
    } else {
      inEntry = true;
      if (c === '"' || c === "'") quote = c;
      else current += c;
    }
  }
  if (quote) throw new PairsError({ problem: 'open-quote', text: text.trim() });
  if (inEntry) entries.push(current);
  return entries;
}
