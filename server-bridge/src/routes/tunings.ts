import { HttpError } from '../server/errors.js';
import type { Handlers } from './types.js';

// placeholders of the issue-19 contract: the tunings engineer replaces them
const notYet = (): never => {
  throw new HttpError(404, 'not_found', 'tunings are not built yet');
};

export const tuningHandlers: Handlers<
  | 'listTunings'
  | 'createTuning'
  | 'getTuning'
  | 'updateTuning'
  | 'stopTuning'
  | 'copyTuning'
  | 'listTuningTrials'
  | 'deleteTuning'
> = {
  listTunings: notYet,
  createTuning: notYet,
  getTuning: notYet,
  updateTuning: notYet,
  stopTuning: notYet,
  copyTuning: notYet,
  listTuningTrials: notYet,
  deleteTuning: notYet,
};
