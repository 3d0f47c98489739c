import { type Static, type TSchema, Type } from '@sinclair/typebox';

/** One naming rule for every resource: it becomes a folder, a kernel name and a URL segment. */
export const NAME_PATTERN = '^[a-z0-9][a-z0-9_-]{0,49}$';
export const Name = Type.String({
  pattern: NAME_PATTERN,
  description: 'lower-case letters, digits, "-" and "_", starting with a letter or digit, at most 50',
});

export const Id = Type.String({ minLength: 1, maxLength: 64, description: 'the id, or the unique name' });
export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
export type IdParams = Static<typeof IdParams>;

export const Timestamp = Type.String({ format: 'date-time' });

/**
 * Where a list or a log is read from. Capped where a number is still exact in JavaScript
 * and fits SQLite's integers: a larger one is a 400, not a store error.
 */
export const MAX_OFFSET = Number.MAX_SAFE_INTEGER;
export const Offset = Type.Integer({ minimum: 0, maximum: MAX_OFFSET, default: 0 });

export const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    offset: Type.Optional(Offset),
  },
  { additionalProperties: false },
);
export type ListQuery = Static<typeof ListQuery>;

export const ListOf = <T extends TSchema>(item: T, name: string) =>
  Type.Object({ items: Type.Array(item), total: Type.Integer({ minimum: 0 }) }, { title: `${name}List` });

export const ErrorCode = Type.Union(
  [
    Type.Literal('bad_request'),
    Type.Literal('validation'),
    Type.Literal('unauthorized'),
    Type.Literal('forbidden'),
    Type.Literal('not_found'),
    Type.Literal('conflict'),
    Type.Literal('unprocessable'),
    Type.Literal('payload_too_large'),
    Type.Literal('not_ready'),
    Type.Literal('timeout'),
    Type.Literal('upgrade_required'),
    Type.Literal('internal'),
  ],
  { description: 'machine-readable error kind' },
);
export type ErrorCode = Static<typeof ErrorCode>;

export const ErrorEnvelope = Type.Object(
  {
    error: Type.Object({
      code: ErrorCode,
      message: Type.String({ description: 'what went wrong and what to do next' }),
      field: Type.Optional(Type.String({ description: 'the offending field, for validation errors' })),
    }),
  },
  {},
);
export type ErrorEnvelope = Static<typeof ErrorEnvelope>;

export const LogChunk = Type.Object(
  {
    text: Type.String(),
    offset: Type.Integer({ minimum: 0, description: 'byte offset this chunk starts at' }),
    nextOffset: Type.Integer({ minimum: 0, description: 'pass as offset to read on' }),
    size: Type.Integer({ minimum: 0, description: 'the log size in bytes now' }),
  },
  {},
);
export type LogChunk = Static<typeof LogChunk>;

export const LogQuery = Type.Object(
  {
    offset: Type.Optional(Offset),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 4_194_304, default: 1_048_576 })),
  },
  { additionalProperties: false },
);
export type LogQuery = Static<typeof LogQuery>;
