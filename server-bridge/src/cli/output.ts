import { formatTable } from '@emkit/shared';

export interface OutputOptions {
  json?: boolean;
}

/** `--json`: the API's own objects, for scripts; otherwise a table for people. */
export function printList<T>(
  options: OutputOptions,
  items: readonly T[],
  columns: readonly [string, (item: T) => unknown][],
): void {
  if (options.json) {
    process.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
    return;
  }
  if (items.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  process.stdout.write(
    `${formatTable(
      columns.map(([h]) => h),
      items.map((item) => columns.map(([, get]) => get(item))),
    )}\n`,
  );
}

export function printItem<T extends object>(
  options: OutputOptions,
  item: T,
  fields?: readonly [string, (item: T) => unknown][],
): void {
  if (options.json) {
    process.stdout.write(`${JSON.stringify(item, null, 2)}\n`);
    return;
  }
  const rows = fields ?? Object.entries(item).map(([k]) => [k, (i: T) => (i as Record<string, unknown>)[k]] as const);
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [key, get] of rows) {
    const value = get(item);
    const text = typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value ?? '');
    process.stdout.write(`${key.padEnd(width)}  ${text}\n`);
  }
}

export function printMessage(options: OutputOptions, message: string, data?: unknown): void {
  if (options.json) process.stdout.write(`${JSON.stringify(data ?? { message }, null, 2)}\n`);
  else process.stdout.write(`${message}\n`);
}
