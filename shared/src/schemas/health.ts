import { type Static, Type } from '@sinclair/typebox';

export const Health = Type.Object(
  {
    status: Type.Literal('ok'),
    version: Type.String(),
    uptimeSeconds: Type.Number(),
  },
  {},
);
export type Health = Static<typeof Health>;

/** A model version's quick-test worker, while it is kept warm. */
export const QuickTestWorker = Type.Object(
  {
    modelId: Type.String(),
    model: Type.String({ description: 'name:version' }),
    state: Type.String({ description: "the worker's: STARTING, READY, RESTARTING, …" }),
    pid: Type.Union([Type.Integer(), Type.Null()]),
    startedAt: Type.String({ format: 'date-time' }),
    lastUsedAt: Type.String({ format: 'date-time' }),
    /** it stops when nothing has called it by then */
    idleUntil: Type.String({ format: 'date-time' }),
  },
  { title: 'QuickTestWorker' },
);
export type QuickTestWorker = Static<typeof QuickTestWorker>;

export const Status = Type.Object(
  {
    version: Type.String(),
    home: Type.String(),
    pid: Type.Integer(),
    uptimeSeconds: Type.Number(),
    eventSeq: Type.Integer({ description: 'the newest event seq' }),
    counts: Type.Record(Type.String(), Type.Integer()),
    quickTests: Type.Array(QuickTestWorker, {
      description: 'the workers quick tests (POST /models/{id}/predict) keep warm, one per model version',
    }),
  },
  {},
);
export type Status = Static<typeof Status>;

export const BrowserTicket = Type.Object(
  {
    ticket: Type.String({ description: 'use once as `?ticket=` on a page the bridge serves to browsers (TensorBoard)' }),
    expiresAt: Type.String({ format: 'date-time' }),
  },
  {},
);
export type BrowserTicket = Static<typeof BrowserTicket>;
