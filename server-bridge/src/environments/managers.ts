import type { EnvironmentManager } from '@emkit/shared';
import { which } from '../runtime/process.js';

export interface ManagerInfo {
  manager: EnvironmentManager;
  available: boolean;
  binary: string | null;
  note: string;
}

/** What can build an environment on this machine right now. */
export function detectManagers(): ManagerInfo[] {
  const uv = which('uv');
  const conda = (name: 'conda' | 'mamba' | 'micromamba'): ManagerInfo => {
    const binary = which(name);
    return {
      manager: name,
      available: binary !== null,
      binary,
      note: binary ? `${name} at ${binary}` : `${name} isn't on the PATH; install it, or use venv`,
    };
  };
  return [
    {
      manager: 'venv',
      available: true,
      binary: uv,
      note: uv ? `uv at ${uv} (faster installs)` : 'python -m venv and pip (install uv for faster installs)',
    },
    conda('conda'),
    conda('mamba'),
    conda('micromamba'),
  ];
}
