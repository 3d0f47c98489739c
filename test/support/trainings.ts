import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type EmkitClient, isSettled, type Training, trainingStates } from '@emkit/shared';
import { venvBin, waitFor } from './bridge.js';

export const venvPython = join(venvBin, 'python');

/** Write files (path → text) under dir, making folders as needed; returns dir. */
export function writeTree(dir: string, files: Record<string, string>): string {
  for (const [path, text] of Object.entries(files)) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return dir;
}

interface CellSpec {
  source: string;
  tags?: string[];
  markdown?: boolean;
}

/** A real nbformat 4 notebook, as JupyterLab saves one. */
export function notebook(cells: CellSpec[]): string {
  return JSON.stringify(
    {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {
        kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' },
        language_info: { name: 'python' },
      },
      cells: cells.map((cell, i) =>
        cell.markdown
          ? { cell_type: 'markdown', id: `cell-${i}`, metadata: {}, source: cell.source }
          : {
              cell_type: 'code',
              id: `cell-${i}`,
              metadata: cell.tags ? { tags: cell.tags } : {},
              execution_count: null,
              outputs: [],
              source: cell.source,
            },
      ),
    },
    null,
    1,
  );
}

export function settledTraining(client: EmkitClient, id: string, timeoutMs = 120_000): Promise<Training> {
  return waitFor(
    async () => {
      const training = await client.api.getTraining({ params: { id } });
      return isSettled(trainingStates, training.state) ? training : undefined;
    },
    timeoutMs,
    `training ${id} to settle`,
  );
}

export function trainingInState(
  client: EmkitClient,
  id: string,
  state: Training['state'],
  timeoutMs = 60_000,
): Promise<Training> {
  return waitFor(
    async () => {
      const training = await client.api.getTraining({ params: { id } });
      if (isSettled(trainingStates, training.state) && training.state !== state) {
        throw new Error(
          `training ${training.name} settled as ${training.state} (${training.stateReason}) while waiting for ${state}`,
        );
      }
      return training.state === state ? training : undefined;
    },
    timeoutMs,
    `training ${id} to be ${state}`,
  );
}

/** The whole log of one rank. */
export async function fullLog(client: EmkitClient, id: string, rank = 0): Promise<string> {
  let text = '';
  let offset = 0;
  for (;;) {
    const chunk = await client.api.getTrainingLog({ params: { id }, query: { rank, offset, limit: 4_194_304 } });
    text += chunk.text;
    if (!chunk.text || chunk.nextOffset >= chunk.size) return text;
    offset = chunk.nextOffset;
  }
}

/** Can this Python import these modules? (tests that need one skip, with the reason, when it can't) */
export function pythonHas(python: string, ...modules: string[]): boolean {
  const run = spawnSync(python, ['-c', modules.map((m) => `import ${m}`).join('; ')], { encoding: 'utf8' });
  return run.status === 0;
}

/** Is a process alive (and not a zombie)? */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim();
  return stat !== '' && !stat.startsWith('Z');
}
