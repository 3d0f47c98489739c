import type { EmkitClient } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import type { ModelPrediction } from '../schemas/evaluations.js';
import type { QuickTestInput } from './protocol.js';

/**
 * A model version's quick test, as the model and training views call it: JSON instances or
 * one file, with class scores where the model has them.
 */
export class ModelCaller {
  /** versions whose quick test gave no class scores: asked without them from then on */
  private readonly noScores = new Set<string>();

  constructor(private readonly client: EmkitClient) {}

  /**
   * The quick test asks for class scores; a model that has none (a regressor, a predict.py that
   * returns labels) refuses them with a 400, and is then asked without — once: it is remembered.
   */
  async predict(modelId: string, input: QuickTestInput): Promise<ModelPrediction> {
    const scores = !this.noScores.has(modelId);
    try {
      return await this.call(modelId, input, scores);
    } catch (error) {
      if (!scores || !(error instanceof ApiError) || error.status !== 400) throw error;
      const prediction = await this.call(modelId, input, false);
      this.noScores.add(modelId);
      return prediction;
    }
  }

  private call(modelId: string, input: QuickTestInput, scores: boolean): Promise<ModelPrediction> {
    const returnScores = scores ? { return_scores: true } : {};
    if (input.kind === 'json')
      return this.client.api.predictModel({ params: { id: modelId }, body: { instances: input.instances, ...returnScores } });
    // a file goes as its bytes with its media type; the model gets {"b64", "filename", "contentType"}
    return this.client.api.predictModelFile({
      params: { id: modelId },
      query: { filename: input.name, ...returnScores },
      body: new Blob([base64Bytes(input.base64)], { type: input.type }),
    });
  }
}

/** A file's bytes from the base64 the page read them as (postMessage carries text, not Blobs, to VS Code's host). */
function base64Bytes(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
