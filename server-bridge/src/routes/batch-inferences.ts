import { HttpError } from '../server/errors.js';
import type { Handlers } from './types.js';

// placeholders of the issue-17 contract: the batch scoring engineer replaces them
const notYet = (): never => {
  throw new HttpError(404, 'not_found', 'batch scoring is not built yet');
};

export const batchInferenceHandlers: Handlers<
  | 'listBatchInferences'
  | 'createBatchInference'
  | 'getBatchInference'
  | 'stopBatchInference'
  | 'deleteBatchInference'
  | 'getBatchInferenceLog'
> = {
  listBatchInferences: notYet,
  createBatchInference: notYet,
  getBatchInference: notYet,
  stopBatchInference: notYet,
  deleteBatchInference: notYet,
  getBatchInferenceLog: notYet,
};
