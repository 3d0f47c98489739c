import { HYPERPARAMETER_KEY_PATTERN } from './schemas/trainings.js';

/** The part of an .ipynb file this reads: cells with their source and tags. */
interface NotebookJson {
  cells?: readonly { cell_type?: string; source?: string | readonly string[]; metadata?: { tags?: readonly string[] } }[];
}

const KEY = new RegExp(HYPERPARAMETER_KEY_PATTERN);
// `name = value` or `name: type = value`, with an optional trailing comment
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)\s*(?::[^=]+)?=\s*([rRbBuU]?(['"]).*?\3|[^#]*?)\s*(?:#.*)?$/;

/**
 * The hyperparameters a submit form starts from: the assignments in the notebook's cell
 * tagged `parameters` (papermill's convention, which the runner injects after), as the text
 * a user would type for `--key value`. Strings lose their quotes; other literals (numbers,
 * True, lists) stay as written, which is how the runner types them back. Lines that are not
 * a simple assignment are skipped.
 */
export function notebookParameters(notebook: NotebookJson | string): Record<string, string> {
  return Object.fromEntries(notebookParameterEntries(notebook).map((p) => [p.name, p.value]));
}

/** The same assignments, each with whether its value was a quoted string (so `"5"` is text, not a number). */
export function notebookParameterEntries(notebook: NotebookJson | string): { name: string; value: string; quoted: boolean }[] {
  const parsed: NotebookJson = typeof notebook === 'string' ? JSON.parse(notebook) : notebook;
  const cell = parsed.cells?.find((c) => c.cell_type === 'code' && c.metadata?.tags?.includes('parameters'));
  if (!cell) return [];
  const source = Array.isArray(cell.source) ? cell.source.join('') : String(cell.source ?? '');
  const entries = new Map<string, { name: string; value: string; quoted: boolean }>();
  for (const line of source.split(/\r?\n/)) {
    const match = ASSIGNMENT.exec(line.trim());
    if (!match?.[1] || !match[2] || !KEY.test(match[1])) continue;
    // a later assignment wins, as when the cell runs
    entries.set(match[1], { name: match[1], value: unquote(match[2]), quoted: match[3] !== undefined });
  }
  return [...entries.values()];
}

function unquote(literal: string): string {
  const quoted = /^(?:[rRbBuU]?)(['"])(.*)\1$/.exec(literal);
  return quoted ? (quoted[2] ?? '') : literal;
}
