import { type Static, Type } from '@sinclair/typebox';
import { ListOf, ListQuery, Name, Timestamp } from './common.js';
import { MetricSummary } from './metrics.js';
import { Tags } from './trainings.js';

export const MODEL_FRAMEWORKS = ['scikit-learn', 'pytorch', 'onnx', 'tensorflow', 'custom'] as const;
export type ModelFramework = (typeof MODEL_FRAMEWORKS)[number];
export const ModelFrameworkSchema = Type.Union(MODEL_FRAMEWORKS.map((f) => Type.Literal(f)));

/** An alias names a version for the people and the endpoints that use it: `production`, `staging`, `champion`. */
export const ALIAS_PATTERN = '^[a-z][a-z0-9_-]{0,31}$';
export const Alias = Type.String({ pattern: ALIAS_PATTERN, description: 'lower-case letters, digits, "-" and "_", at most 32' });

/**
 * `{id}` of a model route: the id, `name` (its newest version), `name:3` (version 3) or
 * `name@production` (the version the alias points at).
 */
export const ModelRef = Type.String({ minLength: 1, maxLength: 100, description: 'id, name, name:version or name@alias' });
export const ModelParams = Type.Object({ id: ModelRef }, { additionalProperties: false });

export const Model = Type.Object(
  {
    id: Type.String(),
    name: Name,
    version: Type.Integer({ minimum: 1 }),
    description: Type.String(),
    framework: ModelFrameworkSchema,
    frameworkVersion: Type.Union([Type.String(), Type.Null()]),
    artifactPath: Type.String({ description: "the registry's copy of the artifact" }),
    files: Type.Integer({ minimum: 0 }),
    bytes: Type.Integer({ minimum: 0 }),
    aliases: Type.Array(Type.String()),
    tags: Type.Record(Type.String(), Type.String()),
    source: Type.Object({
      training: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
      experiment: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
      path: Type.Union([Type.String(), Type.Null()], { description: 'the artifact path it was made from, when not a training' }),
    }),
    hyperparameters: Type.Record(Type.String(), Type.String(), { description: "the source training's" }),
    metrics: Type.Record(Type.String(), MetricSummary, { description: "the source training's metrics when the model was made" }),
    state: Type.Union([Type.Literal('ACTIVE'), Type.Literal('INACTIVE')], {
      description: "INACTIVE: deactivated; it can't be deployed, quick-tested or evaluated until reactivated",
    }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  {},
);
export type Model = Static<typeof Model>;

export const ModelCreate = Type.Object(
  {
    name: Name,
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    training: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'a COMPLETE training: what it saved in EM_MODEL_DIR' }),
    ),
    artifactPath: Type.Optional(
      Type.String({ minLength: 1, maxLength: 4096, description: 'or an absolute path: a model file or folder' }),
    ),
    framework: Type.Optional(ModelFrameworkSchema),
    frameworkVersion: Type.Optional(Type.String({ maxLength: 64 })),
    aliases: Type.Optional(Type.Array(Alias, { maxItems: 10, uniqueItems: true })),
    tags: Type.Optional(Tags),
  },
  { additionalProperties: false },
);
export type ModelCreate = Static<typeof ModelCreate>;

export const ModelUpdate = Type.Object(
  {
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    tags: Type.Optional(Tags),
    active: Type.Optional(
      Type.Boolean({
        description: 'false: deactivate (its stages must be stopped first); true: reactivate, within --max-active-models',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type ModelUpdate = Static<typeof ModelUpdate>;

export const ModelPromote = Type.Object({ alias: Alias }, { additionalProperties: false });
export type ModelPromote = Static<typeof ModelPromote>;

export const ModelList = ListOf(Model, 'Model');
export type ModelList = Static<typeof ModelList>;

export const ModelListQuery = Type.Object(
  {
    ...ListQuery.properties,
    name: Type.Optional(Name),
  },
  { additionalProperties: false },
);
export type ModelListQuery = Static<typeof ModelListQuery>;

export const ModelDeleteQuery = Type.Object(
  {
    withSources: Type.Optional(
      Type.Boolean({
        default: false,
        description:
          'a deactivated model only: also delete the trainings that made it and the datasets uploaded for them that nothing else uses',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ModelDeleteQuery = Static<typeof ModelDeleteQuery>;
