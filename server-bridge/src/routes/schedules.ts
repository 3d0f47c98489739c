import { HttpError } from '../server/errors.js';
import type { Handlers } from './types.js';

// placeholders of the issue-17 contract: the schedules engineer replaces them
const notYet = (): never => {
  throw new HttpError(404, 'not_found', 'schedules are not built yet');
};

export const scheduleHandlers: Handlers<
  | 'listSchedules'
  | 'createSchedule'
  | 'previewSchedule'
  | 'getSchedule'
  | 'updateSchedule'
  | 'pauseSchedule'
  | 'resumeSchedule'
  | 'runSchedule'
  | 'listScheduleRuns'
  | 'deleteSchedule'
> = {
  listSchedules: notYet,
  createSchedule: notYet,
  previewSchedule: notYet,
  getSchedule: notYet,
  updateSchedule: notYet,
  pauseSchedule: notYet,
  resumeSchedule: notYet,
  runSchedule: notYet,
  listScheduleRuns: notYet,
  deleteSchedule: notYet,
};
