import { type Static, Type } from '@sinclair/typebox';
import { ListOf, Name, Timestamp } from './common.js';

export const ENVIRONMENT_MANAGERS = ['venv', 'conda', 'mamba', 'micromamba'] as const;
export type EnvironmentManager = (typeof ENVIRONMENT_MANAGERS)[number];

export const ENVIRONMENT_STATES = [
  'CREATE IN PROGRESS',
  'ACTIVE',
  'CREATE FAILED',
  'DELETE IN PROGRESS',
  'DELETE FAILED',
] as const;
export type EnvironmentState = (typeof ENVIRONMENT_STATES)[number];

/** A pip requirement or a conda spec: no shell metacharacters, no options. */
export const PACKAGE_SPEC_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._\\-\\[\\],<>=!~*+ ]{0,199}$';

export const EnvironmentManagerSchema = Type.Union(
  ENVIRONMENT_MANAGERS.map((m) => Type.Literal(m)),
  { description: 'venv always works (uv when present); the conda family when its binary is on the PATH' },
);

export const Environment = Type.Object(
  {
    id: Type.String(),
    name: Name,
    description: Type.String(),
    manager: EnvironmentManagerSchema,
    python: Type.String({ description: 'the Python version asked for, or the full one once created' }),
    packages: Type.Array(Type.String()),
    requirements: Type.String({ description: 'requirements.txt text installed at creation' }),
    path: Type.String({ description: 'the prefix under <home>/envs' }),
    kernelName: Type.String({ description: 'the Jupyter kernel spec name' }),
    state: Type.Union(ENVIRONMENT_STATES.map((s) => Type.Literal(s))),
    stateReason: Type.Union([Type.String(), Type.Null()]),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  {},
);
export type Environment = Static<typeof Environment>;

export const EnvironmentCreate = Type.Object(
  {
    name: Name,
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    manager: Type.Optional(EnvironmentManagerSchema),
    python: Type.Optional(
      Type.String({ pattern: '^3\\.[0-9]{1,2}(\\.[0-9]{1,2})?$', description: 'e.g. "3.11"; default: the bridge\'s python3' }),
    ),
    packages: Type.Optional(
      Type.Array(Type.String({ pattern: PACKAGE_SPEC_PATTERN }), { maxItems: 200, description: 'pip or conda specs' }),
    ),
    requirements: Type.Optional(
      Type.String({
        maxLength: 65_536,
        description:
          'the text of a requirements.txt: requirement specifiers, one a line, without pip options (a line starting with "-": ' +
          '-r, -c, -e, --index-url, --extra-index-url, --find-links…; refused with 400). `--hash` after a specifier is allowed. ' +
          'An index goes in pip.conf or PIP_INDEX_URL',
      }),
    ),
  },
  { additionalProperties: false },
);
export type EnvironmentCreate = Static<typeof EnvironmentCreate>;

export const EnvironmentList = ListOf(Environment, 'Environment');
export type EnvironmentList = Static<typeof EnvironmentList>;

export const EnvironmentManagers = Type.Object(
  {
    managers: Type.Array(
      Type.Object({
        manager: EnvironmentManagerSchema,
        available: Type.Boolean(),
        binary: Type.Union([Type.String(), Type.Null()]),
        note: Type.String(),
      }),
    ),
    pythons: Type.Array(Type.String(), { description: 'Python versions a venv can be made with' }),
  },
  {},
);
export type EnvironmentManagers = Static<typeof EnvironmentManagers>;
