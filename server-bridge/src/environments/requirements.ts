import { HttpError } from '../server/errors.js';

/**
 * Requirements text is requirement specifiers, one a line, as in a requirements.txt —
 * not pip's options. An option line reaches pip's own powers: reading other files
 * (`-r`, `-c`), replacing or adding package indexes (`--index-url`, `--extra-index-url`,
 * `--find-links`: a package of the same name from another index wins), editable installs
 * (`-e`), compiler flags (`--config-settings`). An index belongs in pip's own
 * configuration (pip.conf, `PIP_INDEX_URL`), set by the user who runs the bridge.
 * `--hash` on a requirement's line is allowed: it only narrows what is installed.
 */
const ALLOWED_LINE_OPTIONS = new Set(['--hash']);

/** pip joins a line ending in a backslash with the next; the check sees what pip sees. */
function logicalLines(text: string): { line: number; text: string }[] {
  const lines: { line: number; text: string }[] = [];
  let current: { line: number; text: string } | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    current ??= { line: index + 1, text: '' };
    if (raw.endsWith('\\')) {
      current.text += `${raw.slice(0, -1)} `;
      return;
    }
    current.text += raw;
    lines.push(current);
    current = undefined;
  });
  if (current) lines.push(current);
  return lines;
}

/** pip drops a comment: a `#` at the start of a line or after whitespace. */
const withoutComment = (line: string) => line.replace(/(^|\s)#.*$/, '');

/** The requirement specifiers of a requirements text, one per logical line, without comments or blank lines. */
export function requirementSpecifiers(text: string): string[] {
  return logicalLines(text)
    .map(({ text: line }) => withoutComment(line).trim())
    .filter((line) => line.length > 0);
}

/** 400 naming the first line that carries a pip option; nothing if there is none. */
export function checkRequirements(text: string): void {
  for (const { line, text: content } of logicalLines(text)) {
    const words = withoutComment(content).trim().split(/\s+/).filter(Boolean);
    const option = words.find(
      (word, i) => word.startsWith('-') && (i === 0 || !ALLOWED_LINE_OPTIONS.has(word.split('=')[0] ?? '')),
    );
    if (option !== undefined) {
      throw new HttpError(
        400,
        'validation',
        `body.requirements: line ${line} has the pip option "${option.split('=')[0]}"; requirements are package specifiers ` +
          'only (besides --hash): put an index in pip.conf or PIP_INDEX_URL, and list the packages of another file here',
        'requirements',
      );
    }
  }
}
