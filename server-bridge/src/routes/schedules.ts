import type { Handlers } from './types.js';

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
  listSchedules: ({ query }, { bridge }) => bridge.schedules.list(query),
  createSchedule: ({ body }, { bridge }) => bridge.schedules.create(body),
  previewSchedule: ({ body }, { bridge }) => bridge.schedules.preview(body),
  getSchedule: ({ params }, { bridge }) => bridge.schedules.find(params.id),
  updateSchedule: ({ params, body }, { bridge }) => bridge.schedules.update(params.id, body),
  pauseSchedule: ({ params }, { bridge }) => bridge.schedules.pause(params.id),
  resumeSchedule: ({ params }, { bridge }) => bridge.schedules.resume(params.id),
  runSchedule: ({ params }, { bridge }) => bridge.schedules.runNow(params.id),
  listScheduleRuns: ({ params, query }, { bridge }) => bridge.schedules.history(params.id, query),
  deleteSchedule: ({ params }, { bridge }) => {
    bridge.schedules.delete(params.id);
    return undefined;
  },
};
