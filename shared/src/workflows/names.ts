/**
 * The name a new training or experiment starts from in the editors' forms: the file's name
 * without `.ipynb` / `.py`, as the bridge's name rule allows (lower-case letters, digits, "-"
 * and "_", starting with a letter or digit, here at most 40 so a suffix still fits).
 */
export function nameFromFile(path: string): string {
  const file = path.split(/[\\/]/).pop() ?? '';
  const name = file
    .replace(/\.(ipynb|py)$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+/, '')
    .slice(0, 40)
    .replace(/[-_]+$/, '');
  return name || 'training';
}
