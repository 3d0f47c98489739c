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

export const Status = Type.Object(
  {
    version: Type.String(),
    home: Type.String(),
    pid: Type.Integer(),
    uptimeSeconds: Type.Number(),
    eventSeq: Type.Integer({ description: 'the newest event seq' }),
    counts: Type.Record(Type.String(), Type.Integer()),
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
