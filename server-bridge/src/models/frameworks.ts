import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { ModelFramework } from '@emkit/shared';
import { childEnv } from '../runtime/child-env.js';
import { readdirIfPresent } from '../runtime/safe-files.js';

/** Every file under dir (relative paths), a few levels deep: enough to recognise an artifact. */
async function listFiles(dir: string, depth = 4): Promise<string[]> {
  // an unreadable folder of the registry's copy is an error to report, not "no files"
  const entries = await readdirIfPresent(dir);
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.isDirectory() && depth > 0)
      files.push(...(await listFiles(join(dir, entry.name), depth - 1)).map((f) => `${entry.name}/${f}`));
    else if (entry.isFile()) files.push(entry.name);
  }
  return files;
}

/**
 * What serves an artifact, from its files: a custom predictor (predict.py) wins, then
 * ONNX, TensorFlow's SavedModel, PyTorch, and pickled scikit-learn estimators.
 */
export async function detectFramework(dir: string): Promise<ModelFramework | undefined> {
  const files = await listFiles(dir);
  const has = (test: (f: string) => boolean) => files.some(test);
  if (files.includes('predict.py')) return 'custom';
  if (has((f) => f.endsWith('.onnx'))) return 'onnx';
  if (has((f) => f.endsWith('saved_model.pb') || f.endsWith('.keras') || f.endsWith('.h5'))) return 'tensorflow';
  if (has((f) => /\.(pt|pth|torchscript)$/.test(f))) return 'pytorch';
  if (has((f) => /\.(joblib|pkl|pickle)$/.test(f))) return 'scikit-learn';
  return undefined;
}

const DISTRIBUTIONS: Record<ModelFramework, string | null> = {
  'scikit-learn': 'scikit-learn',
  pytorch: 'torch',
  onnx: 'onnx',
  tensorflow: 'tensorflow',
  custom: null,
};

/** The framework's version as installed where the model was trained (null when it can't be told). */
export function frameworkVersion(python: string, framework: ModelFramework): Promise<string | null> {
  const distribution = DISTRIBUTIONS[framework];
  if (!distribution) return Promise.resolve(null);
  const code = 'import importlib.metadata as m, sys\ntry:\n    print(m.version(sys.argv[1]))\nexcept Exception:\n    pass';
  return new Promise((resolve) => {
    execFile(python, ['-c', code, distribution], { timeout: 15_000, env: childEnv() }, (error, stdout) => {
      const version = stdout.trim();
      resolve(error || !version ? null : version);
    });
  });
}
