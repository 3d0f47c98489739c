import type { EvaluationResult } from '@emkit/shared';
import { LRUCache } from 'lru-cache';
import { FileRefused, openRegularFile } from '../runtime/safe-files.js';
import { evaluationLayout } from './contract.js';
import { type Curves, parseCurves } from './threshold.js';

/** result.json: figures, thinned curves, at most 1,000 errors of 500 characters; a confusion matrix of many classes. */
export const MAX_RESULT_BYTES = 64 * 1024 * 1024;
/** curves.json: every distinct score of every class; a few MB for 200,000 binary rows. */
export const MAX_CURVES_BYTES = 512 * 1024 * 1024;

/**
 * The text of a file the runner wrote, as a regular file of at most `maxBytes` (its code runs the user's model:
 * the folder may hold a link or a FIFO where a file should be); undefined if there is none.
 */
async function readRunnerFile(path: string, maxBytes: number): Promise<string | undefined> {
  let opened: Awaited<ReturnType<typeof openRegularFile>>;
  try {
    opened = await openRegularFile(path, maxBytes, { noFollow: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (error instanceof FileRefused) throw new Error(error.message);
    throw error;
  }
  try {
    // written whole and renamed into place: its size is its size
    const buffer = Buffer.allocUnsafe(opened.size);
    let length = 0;
    while (length < opened.size) {
      const { bytesRead } = await opened.handle.read(buffer, length, opened.size - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    await opened.handle.close();
  }
}

interface Files {
  result: EvaluationResult;
  /** null: the model gave no scores (or it isn't a classification), or they can't be read (`curvesProblem`) */
  curves: Curves | null;
  curvesProblem?: string;
}

/**
 * A settled evaluation's result and curves, read once and kept (a few of them, by size): a threshold slider
 * asks for the same evaluation many times a second, and its files never change once it is COMPLETE.
 */
export class EvaluationFiles {
  private readonly cache = new LRUCache<string, Files>({
    max: 8,
    // the curves are what weigh: 24 bytes a point
    maxSize: 256 * 1024 * 1024,
    sizeCalculation: (files) => 1 + (files.curves?.curves.reduce((sum, curve) => sum + curve.thresholds.length * 24, 0) ?? 0),
  });

  /**
   * Throws with the reason when result.json is there but can't be used. Curves that can't be (damaged, over the
   * cap) cost only the threshold figures: `curvesProblem` says why, and the result is still answered.
   */
  async read(id: string, dir: string): Promise<Files | undefined> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const layout = evaluationLayout(dir);
    const text = await readRunnerFile(layout.result, MAX_RESULT_BYTES);
    if (text === undefined) return undefined;
    const result = JSON.parse(text) as EvaluationResult;
    let curves: Curves | null = null;
    let curvesProblem: string | undefined;
    try {
      const curvesText = await readRunnerFile(layout.curves, MAX_CURVES_BYTES);
      curves = curvesText === undefined ? null : parseCurves(curvesText);
    } catch (error) {
      curvesProblem = (error as Error).message;
    }
    const files: Files = { result, curves, curvesProblem };
    this.cache.set(id, files);
    return files;
  }

  forget(id: string): void {
    this.cache.delete(id);
  }
}

/** The headline figures a list shows, from a result. */
export function headline(result: EvaluationResult): Record<string, number | null> {
  if (result.classification) {
    const c = result.classification;
    return { accuracy: c.accuracy, macroF1: c.macro.f1, weightedF1: c.weighted.f1, rocAuc: c.rocAuc };
  }
  if (result.regression) return { rmse: result.regression.rmse, mae: result.regression.mae, r2: result.regression.r2 };
  if (result.clustering) return { silhouette: result.clustering.silhouette, clusters: result.clustering.clusters.length };
  return {};
}
