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
