import { readFileSync } from 'node:fs';
import type { InferenceRequest } from '@emkit/shared';
import type { Command } from 'commander';

/** --data, --file or stdin: `{"instances": [...]}` as it is, or a bare array as its instances. */
export function readInstances(command: Command, options: { data?: string; file?: string }): InferenceRequest {
  if (options.data !== undefined && options.file !== undefined) command.error('error: give --data or --file, not both');
  let text: string;
  let from: string;
  if (options.data !== undefined) [text, from] = [options.data, '--data'];
  else if (options.file !== undefined) {
    try {
      text = readFileSync(options.file, 'utf8');
    } catch (error) {
      command.error(`error: can't read ${options.file}: ${(error as Error).message}`);
    }
    from = options.file;
  } else {
    if (process.stdin.isTTY) command.error('error: give the instances with --data, --file or on stdin');
    [text, from] = [readFileSync(0, 'utf8'), 'stdin'];
  }
  if (!text.trim()) command.error(`error: ${from} is empty; give {"instances": [...]} or a JSON array`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    command.error(`error: ${from} is not JSON (${(error as Error).message})`);
  }
  if (Array.isArray(parsed)) return { instances: parsed };
  if (typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { instances?: unknown }).instances)) {
    return parsed as InferenceRequest;
  }
  command.error(`error: ${from} is neither {"instances": [...]} nor a JSON array`);
}
