import { type Static, Type } from '@sinclair/typebox';
import { ListOf, Name, Timestamp } from './common.js';

export const EXPERIMENT_STATES = ['ACTIVE'] as const;
export type ExperimentState = (typeof EXPERIMENT_STATES)[number];

export const Experiment = Type.Object(
  {
    id: Type.String(),
    name: Name,
    description: Type.String(),
    state: Type.Literal('ACTIVE'),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  {},
);
export type Experiment = Static<typeof Experiment>;

export const ExperimentCreate = Type.Object(
  { name: Name, description: Type.Optional(Type.String({ maxLength: 1000 })) },
  { additionalProperties: false },
);
export type ExperimentCreate = Static<typeof ExperimentCreate>;

export const ExperimentUpdate = Type.Object({ description: Type.String({ maxLength: 1000 }) }, { additionalProperties: false });
export type ExperimentUpdate = Static<typeof ExperimentUpdate>;

export const ExperimentList = ListOf(Experiment, 'Experiment');
export type ExperimentList = Static<typeof ExperimentList>;
