import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BUILTIN_RECIPES, type ModelType } from '@emkit/shared';

/** `<home>/recipes/builtin/<type>`: the source folder a built-in's trainings snapshot. */
export const builtinSourceDir = (recipesRoot: string, type: ModelType) => join(recipesRoot, 'builtin', type);

/** The one file of a built-in's source: it only starts `emkit.recipes.main`, which does the work. */
export function builtinEntryPoint(type: ModelType): string {
  return [
    `# emkit built-in recipe: ${type} (no code needed; this file only starts it)`,
    'import sys',
    'from emkit.recipes import main',
    `sys.exit(main(${JSON.stringify(type)}))`,
    '',
  ].join('\n');
}

/** Written again at every start, so a bridge of a newer version (or an edited file) runs what it ships. */
export async function writeBuiltinSources(recipesRoot: string): Promise<void> {
  for (const builtin of BUILTIN_RECIPES) {
    const dir = builtinSourceDir(recipesRoot, builtin.modelType);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'train.py'), builtinEntryPoint(builtin.modelType));
  }
}
