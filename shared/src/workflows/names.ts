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

/** The name an uploaded file or folder is offered as a dataset: its name without a table or zip suffix. */
export function datasetNameFromPath(path: string): string {
  const file = (
    path
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? ''
  ).replace(/\.(csv|parquet|jsonl|zip)$/i, '');
  const name = file
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+/, '')
    .slice(0, 50)
    .replace(/[-_]+$/, '');
  return name || 'dataset';
}

/** The media type an upload is sent as, by its suffix (the bridge reads the format from the filename). */
export function uploadMediaType(filename: string): string {
  const suffix = /\.([a-z0-9]+)$/i.exec(filename)?.[1]?.toLowerCase();
  const types: Record<string, string> = {
    csv: 'text/csv',
    parquet: 'application/vnd.apache.parquet',
    jsonl: 'application/x-ndjson',
    zip: 'application/zip',
  };
  return (suffix && types[suffix]) || 'application/octet-stream';
}

/**
 * A no-code training's names: the model is named after the data and the type, so training
 * again adds a version (an iteration) to it; the training gets the time on top, as training
 * names are unique.
 */
export function noCodeNames(dataset: string, modelType: string, now: Date): { training: string; model: string } {
  const model = `${dataset}-${modelType}`.slice(0, 34).replace(/[-_]+$/, '');
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}-${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  return { training: `${model}-${stamp}`, model };
}
