import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Environment } from '@emkit/shared';

export const kernelNameFor = (environmentName: string) => `emkit-${environmentName}`;

/**
 * A kernel spec in Jupyter's data dir, so JupyterLab's and VS Code's kernel pickers
 * list the environment. It launches the environment's own Python with the `emkit`
 * IPython extension loaded (`--ext`), so `%emkit` works without `%load_ext emkit`; were
 * the package missing, IPython would only warn and the kernel start anyway.
 */
export async function writeKernelSpec(
  kernelsDir: string,
  environment: Environment,
  pythonPath: string,
  fullVersion: string,
): Promise<string> {
  const dir = join(kernelsDir, environment.kernelName);
  await mkdir(dir, { recursive: true });
  const spec = {
    argv: [pythonPath, '-m', 'ipykernel_launcher', '-f', '{connection_file}', '--ext=emkit'],
    display_name: `${environment.name} (emkit, Python ${fullVersion})`,
    language: 'python',
    metadata: { debugger: true, emkit: { environment: environment.name, id: environment.id } },
  };
  await writeFile(join(dir, 'kernel.json'), `${JSON.stringify(spec, null, 2)}\n`);
  return dir;
}

export async function removeKernelSpec(kernelsDir: string, kernelName: string): Promise<void> {
  await rm(join(kernelsDir, kernelName), { recursive: true, force: true });
}
