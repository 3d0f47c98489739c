import { HttpError } from '../server/errors.js';
import type { Handlers } from './types.js';

// placeholders of the issue-18 contract: the alerts engineer replaces them
const notYet = (): never => {
  throw new HttpError(404, 'not_found', 'alerts are not built yet');
};

export const alertHandlers: Handlers<
  'listAlertRules' | 'createAlertRule' | 'getAlertRule' | 'updateAlertRule' | 'deleteAlertRule' | 'listAlertEvents'
> = {
  listAlertRules: notYet,
  createAlertRule: notYet,
  getAlertRule: notYet,
  updateAlertRule: notYet,
  deleteAlertRule: notYet,
  listAlertEvents: notYet,
};
