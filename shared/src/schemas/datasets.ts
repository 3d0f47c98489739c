import { type Static, Type } from '@sinclair/typebox';
import { ListOf, ListQuery, Name, Timestamp } from './common.js';

/**
 * Datasets (issue 16): a name for a file or folder, with numbered versions. A version is
 * the content as it was when it was made (its sha256); a `copy` dataset keeps that content
 * under the emkit home, a `reference` one points at the user's path and refuses a version
 * whose content has changed since (the hash no longer matches) rather than train on other
 * data. Kind, schema and preview are read once per version by the Python scanner
 * (`python -m emkit.datasets scan spec.json`) and stored with it.
 *
 * Trainings, evaluations and recipes name a dataset as `name` (its newest version, pinned
 * at submit) or `name:3`; anything absolute is a path, as before.
 */

export const DATASET_MODES = ['copy', 'reference'] as const;
export type DatasetMode = (typeof DATASET_MODES)[number];

/** table: CSV / Parquet / JSONL; class-folders: one subfolder per class; files: anything else. */
export const DATASET_KINDS = ['table', 'class-folders', 'files'] as const;
export type DatasetKind = (typeof DATASET_KINDS)[number];

/** What a class folder's files are, by suffix: what the preview shows of a sample. */
export const SAMPLE_KINDS = ['image', 'audio', 'text', 'other'] as const;
export type SampleKind = (typeof SAMPLE_KINDS)[number];

/** `name` or `name:version`: how every layer names a dataset (a path starts with "/"). */
export const DATASET_REF_PATTERN = '^[a-z0-9][a-z0-9_-]{0,49}(:[1-9][0-9]{0,8})?$';
export const DatasetRef = Type.String({ pattern: DATASET_REF_PATTERN, description: 'name or name:version' });

export const DatasetParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64, description: 'id, name or name:version' }) },
  { additionalProperties: false },
);

export const ColumnType = Type.Union(
  [Type.Literal('integer'), Type.Literal('number'), Type.Literal('boolean'), Type.Literal('string'), Type.Literal('other')],
  { description: "a column's type as the scanner reads it" },
);

export const DatasetColumn = Type.Object(
  {
    name: Type.String(),
    type: ColumnType,
    nulls: Type.Integer({ minimum: 0, description: 'empty cells among the rows read' }),
    distinct: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
      description: 'distinct values (capped scan), null if not counted',
    }),
  },
  {},
);
export type DatasetColumn = Static<typeof DatasetColumn>;

export const DatasetClass = Type.Object(
  {
    name: Type.String({ description: "the subfolder's name" }),
    count: Type.Integer({ minimum: 0, description: 'usable files' }),
    sampleKind: Type.Union(SAMPLE_KINDS.map((k) => Type.Literal(k))),
  },
  {},
);

/** The shape of a version's content: columns for a table, classes for class folders. */
export const DatasetSchema = Type.Object(
  {
    kind: Type.Union(DATASET_KINDS.map((k) => Type.Literal(k))),
    format: Type.Union(
      [Type.Literal('csv'), Type.Literal('parquet'), Type.Literal('jsonl'), Type.Literal('folder'), Type.Literal('files')],
      {},
    ),
    rows: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'a table: its rows' }),
    columns: Type.Array(DatasetColumn, { description: 'a table: its columns in order' }),
    classes: Type.Array(DatasetClass, { description: 'class folders: one per subfolder, by name' }),
    /** files the scanner could not read (corrupt image, not a WAV, not UTF-8 text): listed, not used */
    skipped: Type.Array(Type.Object({ file: Type.String(), reason: Type.String() }), { maxItems: 100 }),
    skippedCount: Type.Integer({ minimum: 0 }),
  },
  {},
);
export type DatasetSchema = Static<typeof DatasetSchema>;

export const DatasetVersion = Type.Object(
  {
    dataset: Name,
    version: Type.Integer({ minimum: 1 }),
    sha256: Type.String({ description: 'of the content: a file its bytes; a folder its sorted relative paths and their hashes' }),
    bytes: Type.Integer({ minimum: 0 }),
    files: Type.Integer({ minimum: 0 }),
    path: Type.String({ description: 'where this version is read from: the copy under the emkit home, or the referenced path' }),
    schema: DatasetSchema,
    createdAt: Timestamp,
  },
  {},
);
export type DatasetVersion = Static<typeof DatasetVersion>;

export const Dataset = Type.Object(
  {
    id: Type.String(),
    name: Name,
    description: Type.String(),
    mode: Type.Union(DATASET_MODES.map((m) => Type.Literal(m))),
    source: Type.Union([Type.String(), Type.Null()], {
      description: 'the path it was made from (null when uploaded from an editor)',
    }),
    latest: DatasetVersion,
    versions: Type.Integer({ minimum: 1 }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  {},
);
export type Dataset = Static<typeof Dataset>;

export const DatasetCreate = Type.Object(
  {
    name: Name,
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    path: Type.String({ minLength: 1, maxLength: 4096, description: 'absolute path of a file or folder the bridge can read' }),
    mode: Type.Optional(
      Type.Union(
        DATASET_MODES.map((m) => Type.Literal(m)),
        {
          default: 'copy',
          description: 'copy (default): the content is copied under the emkit home; reference: read in place',
        },
      ),
    ),
  },
  { additionalProperties: false },
);
export type DatasetCreate = Static<typeof DatasetCreate>;

export const DatasetUpdate = Type.Object({ description: Type.String({ maxLength: 1000 }) }, { additionalProperties: false });
export type DatasetUpdate = Static<typeof DatasetUpdate>;

/**
 * Upload from an editor: the body is one file's bytes (a table, or a .zip of a folder —
 * a class-folder tree, unpacked with every entry's path checked and the total capped).
 */
export const DATASET_UPLOAD_MEDIA_TYPES = [
  'application/zip',
  'text/csv',
  'application/vnd.apache.parquet',
  'application/x-ndjson',
  'application/jsonl',
  'application/octet-stream',
] as const;
export const DatasetUploadBody = Type.Unsafe<Blob | Uint8Array>({ type: 'string', format: 'binary' });
export const DatasetUploadQuery = Type.Object(
  {
    name: Name,
    filename: Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^[^/\\\\\\u0000]+$',
      description: 'the file\'s name (its suffix says the format: .csv, .parquet, .jsonl, .zip); no "/"',
    }),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);

export const DatasetPreviewQuery = Type.Object(
  {
    version: Type.Optional(Type.Integer({ minimum: 1, description: 'default: the newest' })),
    rows: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, default: 20, description: 'a table: rows shown' })),
  },
  { additionalProperties: false },
);

export const DatasetSample = Type.Object(
  {
    file: Type.String({ description: 'relative to the dataset' }),
    kind: Type.Union(SAMPLE_KINDS.map((k) => Type.Literal(k))),
    thumbnail: Type.Union([Type.String(), Type.Null()], { description: 'an image: a small PNG as a data: URL' }),
    durationSeconds: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { description: 'audio' }),
    snippet: Type.Union([Type.String(), Type.Null()], { description: 'text: its first 200 characters' }),
  },
  {},
);
export type DatasetSample = Static<typeof DatasetSample>;

export const DatasetPreview = Type.Object(
  {
    dataset: Name,
    version: Type.Integer({ minimum: 1 }),
    schema: DatasetSchema,
    rows: Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'a table: its first rows, as objects' }),
    samples: Type.Array(Type.Object({ class: Type.String(), samples: Type.Array(DatasetSample) }), {
      description: 'class folders: a few samples of each class',
    }),
  },
  {},
);
export type DatasetPreview = Static<typeof DatasetPreview>;

export const DatasetList = ListOf(Dataset, 'Dataset');
export type DatasetList = Static<typeof DatasetList>;
export const DatasetVersionList = ListOf(DatasetVersion, 'DatasetVersion');
export type DatasetVersionList = Static<typeof DatasetVersionList>;
export const DatasetListQuery = ListQuery;
