import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { Environment } from '@emkit/shared';
import { childEnv } from '../runtime/child-env.js';
import { runCommand } from '../runtime/process.js';
import { pythonVersion } from './pythons.js';

export interface BuildPlan {
  environment: Environment;
  /** venv: the interpreter to copy; conda family: unused */
  basePython: string;
  /** the manager's binary (conda, mamba, micromamba), or uv for venv when present */
  binary: string | null;
  /** wheel or source folder of the emkit Python package */
  emkitPackage: string;
  log: Writable;
  signal: AbortSignal;
}

export const envPython = (prefix: string) =>
  process.platform === 'win32' ? join(prefix, 'python.exe') : join(prefix, 'bin', 'python');

/** The bridge's own Python settings must not leak into the environment it builds (nor its credentials). */
function buildEnv(): NodeJS.ProcessEnv {
  const env = childEnv({ PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' });
  for (const key of ['VIRTUAL_ENV', 'PYTHONHOME', 'PYTHONPATH', 'CONDA_PREFIX']) delete env[key];
  return env;
}

/**
 * Make the prefix, install what was asked plus ipykernel and emkit, and say which
 * Python it ended up with. Every step is a program with an argument list; its output
 * goes to the environment's creation log.
 */
export async function buildEnvironment(plan: BuildPlan): Promise<{ python: string; fullVersion: string }> {
  const { environment, log, signal } = plan;
  const env = buildEnv();
  const run = (label: string, command: string, args: string[]) => runCommand(command, args, { log, env, signal, label });
  const prefix = environment.path;
  const python = envPython(prefix);

  const requirementsFile = environment.requirements.trim() ? join(prefix, 'emkit-requirements.txt') : undefined;
  const extra = requirementsFile ? ['-r', requirementsFile] : [];

  if (environment.manager === 'venv') {
    if (plan.binary) await run('uv venv', plan.binary, ['venv', '--seed', '--python', plan.basePython, prefix]);
    else await run('python -m venv', plan.basePython, ['-m', 'venv', prefix]);
  } else {
    const spec = environment.python ? `python=${environment.python}` : 'python';
    const channels = environment.manager === 'micromamba' ? ['-c', 'conda-forge'] : [];
    await run(`${environment.manager} create`, plan.binary ?? environment.manager, [
      'create',
      '--yes',
      '--prefix',
      prefix,
      ...channels,
      spec,
      ...environment.packages,
    ]);
  }
  // written once the prefix exists
  if (requirementsFile) await writeFile(requirementsFile, environment.requirements);

  const pipPackages = ['ipykernel', plan.emkitPackage, ...(environment.manager === 'venv' ? environment.packages : []), ...extra];
  if (environment.manager === 'venv' && plan.binary) {
    await run('uv pip install', plan.binary, ['pip', 'install', '--python', python, ...pipPackages]);
  } else {
    await run('pip install', python, ['-m', 'pip', 'install', '--no-input', ...pipPackages]);
  }

  const fullVersion = await pythonVersion(python);
  if (!fullVersion) throw new Error(`the new environment's Python (${python}) doesn't run`);
  log.write(`Python ${fullVersion} at ${python}\n`);
  return { python, fullVersion };
}
