import type { Stats } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type {
  Dataset,
  DatasetCreate,
  DatasetList,
  DatasetMode,
  DatasetPreview,
  DatasetUpdate,
  DatasetVersion,
  DatasetVersionList,
  ListQuery,
} from '@emkit/shared';
import { readdirIfPresent } from '../runtime/safe-files.js';
import { checkUserPath } from '../runtime/user-paths.js';
import { conflict, notFound } from '../server/errors.js';
import { pageOf } from '../server/query-defaults.js';
import { type DatasetRecord, type DatasetVersionRecord, datasetOf, datasetVersionOf } from '../store/datasets.js';
import type { Store } from '../store/index.js';
import { isUniqueViolation } from '../store/rows.js';
import { copyIn, uploadIn } from './content.js';
import { type ResolvedDataset, resolveDataset } from './resolve.js';
import type { DatasetScanner, ScanLimits, ScanResult } from './scanner.js';

export interface DatasetServiceOptions {
  /** `<home>/datasets` */
  root: string;
  /** the emkit home: a dataset path inside it is refused */
  home: string;
  scanner: DatasetScanner;
  limits: ScanLimits;
}

const DEFAULT_PREVIEW_ROWS = 20;

/** Where a version's files are: `<root>/<name>/<version>/`, its scan in version.json. */
const versionJson = (dir: string) => join(dir, 'version.json');

/**
 * Datasets: a name for a file or folder, copied in or referenced in place, with numbered versions. Each version
 * is scanned once (the Python scanner: kind, schema, sha256, preview) while it is made, in a staging folder that
 * becomes the version's folder only when everything else succeeded: a refused dataset leaves nothing behind.
 */
export class DatasetService {
  private readonly staging: string;

  constructor(
    private readonly store: Store,
    private readonly options: DatasetServiceOptions,
  ) {
    // a name starts with a letter or digit, so no dataset's folder is ever called this
    this.staging = join(options.root, '.staging');
  }

  /**
   * At start, before any request: what a bridge that stopped mid-scan left in staging, and a version folder it
   * moved in but never recorded, are no version of anything (and would block that version's number).
   */
  async reconcile(): Promise<void> {
    await rm(this.staging, { recursive: true, force: true });
    for (const name of await readdirIfPresent(this.options.root)) {
      if (!name.isDirectory()) continue;
      const dataset = this.store.datasets.get(name.name);
      const folder = join(this.options.root, name.name);
      if (!dataset) {
        await rm(folder, { recursive: true, force: true });
        continue;
      }
      for (const version of await readdirIfPresent(folder)) {
        if (!this.store.datasets.version(dataset, Number(version.name))) {
          await rm(join(folder, version.name), { recursive: true, force: true });
        }
      }
    }
  }

  list(query: ListQuery | undefined): DatasetList {
    const { limit, offset } = pageOf(query);
    const page = this.store.datasets.list(limit, offset);
    return { items: page.items.map(datasetOf), total: page.total };
  }

  find(key: string): Dataset {
    return datasetOf(this.record(key));
  }

  versions(key: string, query: ListQuery | undefined): DatasetVersionList {
    const { limit, offset } = pageOf(query);
    const page = this.store.datasets.versions(this.record(key), limit, offset);
    return { items: page.items.map(datasetVersionOf), total: page.total };
  }

  /** A trainings' or evaluation's `name[:version]`, pinned, with the path its runner reads (see resolve.ts). */
  resolve(ref: string, field: string): Promise<ResolvedDataset> {
    return resolveDataset({ store: this.store, scanner: this.options.scanner, workRoot: this.workRoot() }, ref, field);
  }

  async create(input: DatasetCreate): Promise<Dataset> {
    if (this.store.datasets.get(input.name)) throw conflict(`a dataset named "${input.name}" already exists`);
    const mode: DatasetMode = input.mode ?? 'copy';
    const { real, info } = await this.checkSource(input.path, 'path');
    return this.stage(async (staging) => {
      const content = mode === 'copy' ? await copyIn(real, info, staging, this.options.limits) : real;
      const scan = await this.options.scanner.scan(content, staging, 'path');
      return this.insertNew(input.name, input.description ?? '', mode, real, staging, content, scan);
    });
  }

  /** An editor's upload: a new dataset, or the named one's next version when its content differs. */
  async upload(query: { name: string; filename: string; description?: string }, bytes: Buffer): Promise<Dataset> {
    const existing = this.store.datasets.get(query.name);
    if (existing?.mode === 'reference') {
      throw conflict(`dataset "${existing.name}" reads ${existing.source} in place; an upload can't be its next version`);
    }
    return this.stage(async (staging) => {
      const content = await uploadIn(bytes, query.filename, staging, this.options.scanner);
      const scan = await this.options.scanner.scan(content, staging, 'body');
      if (!existing) return this.insertNew(query.name, query.description ?? '', 'copy', null, staging, content, scan);
      await this.addVersion(existing, staging, content, scan);
      return this.find(existing.id);
    });
  }

  /** Reads the source again: its next version when the content changed, else the newest as it is. */
  async createVersion(key: string): Promise<DatasetVersion> {
    const dataset = this.record(key);
    if (dataset.source === null) {
      throw conflict(`dataset "${dataset.name}" was uploaded: upload the new content under its name to make a version`);
    }
    const { real, info } = await this.checkSource(dataset.source, 'source');
    const version = await this.stage(async (staging) => {
      const content = dataset.mode === 'copy' ? await copyIn(real, info, staging, this.options.limits) : real;
      const scan = await this.options.scanner.scan(content, staging, 'source');
      return this.addVersion(dataset, staging, content, scan);
    });
    return datasetVersionOf(version);
  }

  /**
   * A COMPLETE batch scoring job's predictions (a file the bridge wrote, maybe in its own home) copied in as
   * dataset `name`: a new dataset, or its next version; answers the `name:version` made.
   */
  async registerOutput(name: string, file: string): Promise<string> {
    const existing = this.store.datasets.get(name);
    if (existing?.mode === 'reference') {
      throw conflict(`dataset "${existing.name}" reads ${existing.source} in place; predictions can't be its next version`);
    }
    const info = await stat(file);
    return this.stage(async (staging) => {
      const content = await copyIn(file, info, staging, this.options.limits);
      const scan = await this.options.scanner.scan(content, staging, 'outputDataset');
      if (!existing) {
        const made = await this.insertNew(name, 'predictions of a batch scoring job', 'copy', file, staging, content, scan);
        return `${made.name}:${made.latest.version}`;
      }
      const version = await this.addVersion(existing, staging, content, scan);
      return `${existing.name}:${version.version}`;
    });
  }

  update(key: string, changes: DatasetUpdate): Dataset {
    return datasetOf(this.store.tx(() => this.store.datasets.update(this.record(key), changes.description)));
  }

  /** Refused while a training or evaluation reads it; a copy's content goes with it, a referenced path stays. */
  async delete(key: string): Promise<void> {
    const dataset = this.store.tx(() => {
      const found = this.record(key);
      const readers = this.store.datasets.readers(found.name);
      if (readers.length > 0) {
        throw conflict(`dataset "${found.name}" is being read by ${readers.join(', ')}; delete it once they end`);
      }
      this.store.datasets.delete(found.id);
      return found;
    });
    await rm(join(this.options.root, dataset.name), { recursive: true, force: true });
  }

  /** `key` may be `name:version`; `version` in the query wins. Rows come from the stored scan, sliced. */
  async preview(key: string, query: { version?: number; rows?: number } | undefined): Promise<DatasetPreview> {
    const [name, pinned] = key.split(':') as [string, string | undefined];
    const dataset = this.record(pinned === undefined ? key : name);
    const number = query?.version ?? (pinned === undefined ? dataset.latest.version : Number(pinned));
    const version = this.store.datasets.version(dataset, number);
    if (!version) throw notFound('dataset version', `${dataset.name}:${number}`);
    const scan = JSON.parse(await readFile(versionJson(version.dir), 'utf8')) as ScanResult;
    return {
      dataset: dataset.name,
      version: version.version,
      schema: version.schema,
      rows: scan.preview.rows.slice(0, query?.rows ?? DEFAULT_PREVIEW_ROWS),
      samples: scan.preview.samples,
    };
  }

  private record(key: string): DatasetRecord {
    const dataset = this.store.datasets.get(key);
    if (!dataset) throw notFound('dataset', key);
    return dataset;
  }

  private workRoot(): string {
    return this.staging;
  }

  private checkSource(path: string, field: string): Promise<{ real: string; info: Stats }> {
    return checkUserPath(path, { home: this.options.home, field, what: 'the dataset', readable: true });
  }

  /** Runs `work` in a fresh staging folder, removed whatever happens (a version's folder was moved out of it). */
  private async stage<T>(work: (staging: string) => Promise<T>): Promise<T> {
    await mkdir(this.staging, { recursive: true, mode: 0o700 });
    const staging = await mkdtemp(join(this.staging, 'v-'));
    try {
      return await work(staging);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /**
   * Moves the staged version into `<root>/<name>/<version>`: a rename, which fails if that folder exists (two
   * requests making the same version), so a version folder is only ever one request's.
   */
  private async place(name: string, version: number, staging: string, content: string, scan: ScanResult) {
    await writeFile(versionJson(staging), JSON.stringify(scan));
    const dir = join(this.options.root, name, String(version));
    await mkdir(join(this.options.root, name), { recursive: true });
    const moved = await mkdtemp(join(this.staging, 'p-'));
    // the staging folder itself goes (its spec files with it); what stays is version.json and data/
    await rename(versionJson(staging), versionJson(moved));
    const copied = content.startsWith(`${staging}/`);
    if (copied) await rename(join(staging, 'data'), join(moved, 'data'));
    try {
      await rename(moved, dir);
    } catch (error) {
      await rm(moved, { recursive: true, force: true });
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') throw conflict(`dataset "${name}" got version ${version} meanwhile`);
      throw error;
    }
    const path = copied ? join(dir, relative(staging, content)) : content;
    return { dir, path };
  }

  private async insertNew(
    name: string,
    description: string,
    mode: DatasetMode,
    source: string | null,
    staging: string,
    content: string,
    scan: ScanResult,
  ): Promise<Dataset> {
    const { dir, path } = await this.place(name, 1, staging, content, scan);
    try {
      return datasetOf(
        this.store.tx(() =>
          this.store.datasets.insert({ name, description, mode, source }, { ...this.versionOf(scan), path, dir }),
        ),
      );
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      if (isUniqueViolation(error)) throw conflict(`a dataset named "${name}" already exists`);
      throw error;
    }
  }

  /** The next version, unless the content is the newest's (then that one, as it is). */
  private async addVersion(
    dataset: DatasetRecord,
    staging: string,
    content: string,
    scan: ScanResult,
  ): Promise<DatasetVersionRecord> {
    if (scan.sha256 === dataset.latest.sha256) return dataset.latest;
    const number = dataset.latest.version + 1;
    const { dir, path } = await this.place(dataset.name, number, staging, content, scan);
    try {
      return this.store.tx(() => {
        const next = this.store.datasets.addVersion(dataset, { ...this.versionOf(scan), path, dir, version: number });
        return next.latest;
      });
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  private versionOf(scan: ScanResult) {
    return {
      sha256: scan.sha256,
      fingerprint: scan.fingerprint,
      bytes: scan.bytes,
      files: scan.files,
      schema: scan.schema,
    };
  }
}
