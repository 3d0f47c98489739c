import { type Static, Type } from '@sinclair/typebox';
import { Id, ListOf, Timestamp } from './common.js';

export const TENSORBOARD_STATES = ['CREATE IN PROGRESS', 'RUNNING', 'STOPPED', 'CREATE FAILED'] as const;
export type TensorboardState = (typeof TENSORBOARD_STATES)[number];

export const Tensorboard = Type.Object(
  {
    id: Type.String(),
    experimentId: Type.Union([Type.String(), Type.Null()]),
    trainings: Type.Array(Type.Object({ id: Type.String(), name: Type.String() }), { description: 'one named run each' }),
    state: Type.Union(TENSORBOARD_STATES.map((s) => Type.Literal(s))),
    stateReason: Type.Union([Type.String(), Type.Null()]),
    path: Type.String({
      description: 'where the bridge serves it: /tensorboard/{id}/ (add ?token= when opening it in a browser)',
    }),
    python: Type.String({ description: 'the interpreter whose tensorboard runs it' }),
    createdAt: Timestamp,
    lastAccessAt: Timestamp,
  },
  {},
);
export type Tensorboard = Static<typeof Tensorboard>;

export const TensorboardCreate = Type.Object(
  {
    training: Type.Optional(Id),
    experiment: Type.Optional(Id),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    maxProperties: 1,
    description: 'a training, or an experiment (all its trainings)',
  },
);
export type TensorboardCreate = Static<typeof TensorboardCreate>;

export const TensorboardList = ListOf(Tensorboard, 'Tensorboard');
export type TensorboardList = Static<typeof TensorboardList>;
