import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { promisify } from 'node:util';
import { childEnv } from '../runtime/child-env.js';
import { which } from '../runtime/process.js';

const run = promisify(execFile);
const VERSION_SCRIPT = "import sys; print('%d.%d.%d' % sys.version_info[:3])";

export interface PythonInterpreter {
  path: string;
  /** e.g. "3.11.7" */
  version: string;
}

/** The full version of an interpreter, or undefined when it isn't one that runs. */
export async function pythonVersion(path: string): Promise<string | undefined> {
  try {
    const { stdout } = await run(path, ['-c', VERSION_SCRIPT], { timeout: 10_000, env: childEnv() });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

const CACHE_MS = 60_000;
let cached: { at: number; key: string; found: PythonInterpreter[] } | undefined;

/**
 * The Python interpreters a venv can be made from: the configured default first,
 * then every `python3.N` on the PATH. Cached for a minute: creating an environment
 * asks for this every time and the answer rarely changes.
 */
export async function findPythons(defaultPython: string): Promise<PythonInterpreter[]> {
  const key = `${defaultPython}|${process.env.PATH}`;
  if (cached && cached.key === key && Date.now() - cached.at < CACHE_MS) return cached.found;
  const names = [defaultPython, 'python3', ...Array.from({ length: 12 }, (_, i) => `python3.${i + 8}`)];
  const seen = new Set<string>();
  const found: PythonInterpreter[] = [];
  for (const name of names) {
    const path = name.includes('/') ? name : which(name);
    if (!path) continue;
    let real: string;
    try {
      real = realpathSync(path);
    } catch {
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    const version = await pythonVersion(path);
    // shims (pyenv, asdf) and links can show one version under several paths
    if (version && !found.some((p) => p.version === version)) found.push({ path, version });
  }
  cached = { at: Date.now(), key, found };
  return found;
}

/** "3.11" matches "3.11.7"; "3.11.7" only itself. No request: the default. */
export function pickPython(found: readonly PythonInterpreter[], requested: string | undefined): PythonInterpreter | undefined {
  if (!requested) return found[0];
  return found.find((p) => p.version === requested || p.version.startsWith(`${requested}.`));
}
