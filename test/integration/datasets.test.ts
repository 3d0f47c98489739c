import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset, DatasetPreview } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emkitCli, removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { type DatasetFixtures, pngSize, writeDatasetFixtures, writeZip } from '../support/datasets.js';
import { settledEvaluation, writeCustomEvaluationModel } from '../support/evaluations.js';
import { refusal } from '../support/refusal.js';
import { pythonHas, settledTraining, venvPython, writeTree } from '../support/trainings.js';

// Datasets against a real bridge and the real Python scanner: made from a CSV, a Parquet file and class folders of
// PNGs, WAVs and Korean/English texts; copied in or referenced; previewed; versioned; uploaded; named by trainings
// and evaluations; and every refusal leaves nothing stored.

const hasTools = pythonHas(venvPython, 'PIL', 'pandas', 'pyarrow');
const noTools = hasTools ? '' : ' (SKIPPED: Pillow, pandas or pyarrow is not installed in .venv)';
const UPLOAD_MB = 1;

let bridge: TestBridge;
let work: string;
let data: DatasetFixtures;

beforeAll(async () => {
  bridge = await startBridge({ args: ['--python', venvPython, '--dataset-upload-mb', String(UPLOAD_MB)] });
  work = tempDir('emkit-datasets-');
  if (hasTools) data = writeDatasetFixtures(work);
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

const api = () => bridge.client.api;
const create = (name: string, path: string, mode: 'copy' | 'reference' = 'copy') =>
  api().createDataset({ body: { name, path, mode } });
const preview = (id: string, rows?: number): Promise<DatasetPreview> =>
  api().previewDataset({ params: { id }, query: rows === undefined ? {} : { rows } });
const upload = (name: string, filename: string, bytes: Buffer, type: string) =>
  api().uploadDataset({ query: { name, filename }, body: new Blob([new Uint8Array(bytes)], { type }) });

/** What the bridge keeps of datasets: its records and its folders (staging included). */
async function stored(): Promise<{ total: number; folders: string[]; staging: string[] }> {
  const root = join(bridge.home, 'datasets');
  const folders = existsSync(root) ? readdirSync(root).filter((f) => f !== '.staging') : [];
  const staging = existsSync(join(root, '.staging')) ? readdirSync(join(root, '.staging')) : [];
  return { total: (await api().listDatasets({ query: {} })).total, folders, staging };
}

/** A refused call: its status and field, and no dataset, folder or staging left behind. */
async function refused(call: () => Promise<unknown>, status: number, field?: string) {
  const before = await stored();
  const error = await refusal(call());
  expect(error.status, error.message).toBe(status);
  if (field !== undefined) expect(error.field).toBe(field);
  expect(await stored()).toEqual(before);
  return error;
}

describe(`tables${noTools}`, () => {
  it.skipIf(!hasTools)('a CSV copied in: columns with types, empty cells and distinct values; the first rows', async () => {
    const made = await create('cities', data.csv);
    expect(made.mode).toBe('copy');
    expect(made.latest.version).toBe(1);
    expect(made.latest.path.startsWith(join(bridge.home, 'datasets', 'cities', '1', 'data'))).toBe(true);
    expect(made.latest.schema).toMatchObject({ kind: 'table', format: 'csv', rows: 40 });
    expect(made.latest.schema.columns).toEqual([
      { name: 'x1', type: 'integer', nulls: 0, distinct: 40 },
      { name: 'x2', type: 'number', nulls: 2, distinct: 38 },
      { name: 'city', type: 'string', nulls: 0, distinct: 3 },
      { name: 'label', type: 'string', nulls: 0, distinct: 2 },
    ]);
    const sha = execFileSync('sha256sum', [data.csv], { encoding: 'utf8' }).split(' ')[0];
    expect(made.latest.sha256).toBe(sha);
    const shown = await preview('cities', 3);
    expect(shown.rows).toEqual([
      { x1: 0, x2: 0, city: '서울', label: 'a' },
      { x1: 1, x2: 0.25, city: 'Busan', label: 'b' },
      { x1: 2, x2: 0.5, city: 'Jeju', label: 'a' },
    ]);
    expect((await preview('cities')).rows).toHaveLength(20);
    expect((await preview('cities:1', 0)).rows).toEqual([]);
  });

  it.skipIf(!hasTools)('a Parquet file referenced in place: its own types, read where it is', async () => {
    const made = await create('cities-pq', data.parquet, 'reference');
    expect(made).toMatchObject({ mode: 'reference', source: data.parquet });
    expect(made.latest.path).toBe(data.parquet);
    expect(made.latest.schema).toMatchObject({ kind: 'table', format: 'parquet', rows: 40 });
    expect(made.latest.schema.columns.map((c) => [c.name, c.type, c.nulls])).toEqual([
      ['x1', 'integer', 0],
      ['x2', 'number', 2],
      ['city', 'string', 0],
      ['label', 'string', 0],
    ]);
    expect((await preview('cities-pq', 2)).rows[1]).toEqual({ x1: 1, x2: 0.25, city: 'Busan', label: 'b' });
  });
});

describe(`class folders${noTools}`, () => {
  it.skipIf(!hasTools)('PNGs: classes with counts, thumbnails of at most 64 px, a broken file skipped and named', async () => {
    const made = await create('shapes', data.images);
    expect(made.latest.schema).toMatchObject({ kind: 'class-folders', format: 'folder', rows: null, skippedCount: 1 });
    expect(made.latest.schema.classes).toEqual([
      { name: 'circle', count: 6, sampleKind: 'image' },
      { name: 'square', count: 6, sampleKind: 'image' },
    ]);
    expect(made.latest.schema.skipped).toEqual([{ file: 'square/broken.png', reason: expect.stringContaining('image') }]);
    const shown = await preview('shapes');
    expect(shown.samples.map((s) => [s.class, s.samples.length])).toEqual([
      ['circle', 3],
      ['square', 3],
    ]);
    for (const sample of shown.samples.flatMap((s) => s.samples)) {
      expect(sample.kind).toBe('image');
      const size = pngSize(sample.thumbnail as string);
      expect(Math.max(size.width, size.height)).toBe(64);
    }
  });

  it.skipIf(!hasTools)('WAVs: their durations', async () => {
    await create('tones', data.sounds, 'reference');
    const shown = await preview('tones');
    expect(shown.schema.classes).toEqual([
      { name: 'high', count: 3, sampleKind: 'audio' },
      { name: 'low', count: 3, sampleKind: 'audio' },
    ]);
    expect(shown.samples[0]?.samples.map((s) => [s.file, s.durationSeconds])).toEqual([
      ['high/0.wav', 0.5],
      ['high/1.wav', 0.75],
      ['high/2.wav', 1],
    ]);
  });

  it.skipIf(!hasTools)('texts in Korean and English: snippets', async () => {
    await create('sentences', data.texts);
    const shown = await preview('sentences');
    expect(shown.schema.classes.map((c) => [c.name, c.count, c.sampleKind])).toEqual([
      ['en', 3, 'text'],
      ['ko', 3, 'text'],
    ]);
    const ko = shown.samples.find((s) => s.class === 'ko')?.samples ?? [];
    expect(ko.map((s) => s.snippet)).toEqual([
      '오늘 날씨가 정말 좋네요',
      '이 영화는 너무 재미있었어요',
      '점심으로 김치찌개를 먹었다',
    ]);
  });

  it.skipIf(!hasTools)('an empty class folder is kept in a copy, counted 0', async () => {
    const tree = join(work, 'with-empty');
    cpSync(data.images, tree, { recursive: true });
    mkdirSync(join(tree, 'triangle'));
    const made = await create('with-empty', tree);
    expect(made.latest.schema.classes.map((c) => [c.name, c.count])).toEqual([
      ['circle', 6],
      ['square', 6],
      ['triangle', 0],
    ]);
  });
});

const trainScript = [
  'import json, os',
  'seen = {"train": os.environ["EM_DATASET_TRAIN"], "all": json.loads(os.environ["EM_DATASETS"])}',
  'seen["files"] = sorted(os.listdir(seen["train"])) if os.path.isdir(seen["train"]) else None',
  'json.dump(seen, open(os.path.join(os.environ["EM_MODEL_DIR"], "seen.json"), "w"))',
  '',
].join('\n');

describe(`trainings and evaluations name datasets${noTools}`, () => {
  let source: string;
  beforeAll(() => {
    source = writeTree(join(work ?? tempDir(), 'source'), { 'train.py': trainScript });
  });

  const submit = (datasets: Record<string, string>) =>
    api().createTraining({ body: { source: { path: source, entryPoint: 'train.py' }, datasets } });

  it.skipIf(!hasTools)(
    'a training with datasets {train: "name"}: EM_DATASET_TRAIN is the path, the record keeps name:1',
    async () => {
      const dataset = (await api().getDataset({ params: { id: 'shapes' } })) as Dataset;
      const training = await submit({ train: 'shapes' });
      expect(training.datasets).toEqual({ train: 'shapes:1' });
      const done = await settledTraining(bridge.client, training.id);
      expect(done.state, done.stateReason ?? '').toBe('COMPLETE');
      const seen = JSON.parse(readFileSync(join(training.dir, 'model', 'seen.json'), 'utf8'));
      expect(seen).toEqual({ train: dataset.latest.path, all: { train: dataset.latest.path }, files: ['circle', 'square'] });
      // a copy resolves the pinned version again
      const copy = await api().copyTraining({ params: { id: training.id }, body: {} });
      expect(copy.datasets).toEqual({ train: 'shapes:1' });
    },
  );

  it.skipIf(!hasTools)(
    'a version pins the content: a changed referenced file refuses name:1 (409); `version` makes 2',
    async () => {
      const folder = join(work, 'pinned');
      cpSync(data.texts, folder, { recursive: true });
      await create('pinned', folder, 'reference');
      const unchanged = await submit({ train: 'pinned:1' });
      expect(unchanged.datasets).toEqual({ train: 'pinned:1' });

      appendFileSync(join(folder, 'en', '0.txt'), ' and tomorrow too');
      const trainings = (await api().listTrainings({ query: {} })).total;
      const error = await refusal(submit({ train: 'pinned:1' }));
      expect(error.status).toBe(409);
      expect(error.field).toBe('datasets.train');
      expect(error.message).toContain(
        'dataset pinned changed since version 1: make a new version (emkit dataset version pinned)',
      );
      expect((await api().listTrainings({ query: {} })).total).toBe(trainings);
      // the newest is still version 1 until a version is made
      expect((await refusal(submit({ train: 'pinned' }))).status).toBe(409);

      const second = await api().createDatasetVersion({ params: { id: 'pinned' } });
      expect(second.version).toBe(2);
      expect((await submit({ train: 'pinned' })).datasets).toEqual({ train: 'pinned:2' });
      // the content as it is now is version 2: asking again makes no version 3
      expect((await api().createDatasetVersion({ params: { id: 'pinned' } })).version).toBe(2);
      const versions = await api().listDatasetVersions({ params: { id: 'pinned' } });
      expect(versions.items.map((v) => v.version)).toEqual([2, 1]);
    },
  );

  it.skipIf(!hasTools)('a touched file with the same content still resolves (sizes and times first, then the hash)', async () => {
    const file = join(work, 'touched.csv');
    writeFileSync(file, 'a,label\n1,1\n2,2\n');
    await create('touched', file, 'reference');
    execFileSync('touch', ['-d', '2030-01-01', file]);
    expect((await submit({ train: 'touched' })).datasets).toEqual({ train: 'touched:1' });
  });

  it.skipIf(!hasTools)('an evaluation with data: "name" reads the dataset and keeps name:version', async () => {
    const file = writeTree(join(work, 'eval'), { 'eval.csv': 'x,label\n1,1\n2,2\n3,3\n1,1\n2,0\n' });
    await create('eval-rows', join(file, 'eval.csv'));
    await api().createModel({
      body: { name: 'echo', artifactPath: writeCustomEvaluationModel(join(work, 'echo')), framework: 'custom' },
    });
    const evaluation = await api().createEvaluation({ body: { model: 'echo:1', data: 'eval-rows' } });
    expect(evaluation.data.dataset).toBe('eval-rows:1');
    const done = await settledEvaluation(bridge.client, evaluation.id);
    expect(done.state, done.stateReason ?? '').toBe('COMPLETE');
    expect(done.data.sha256).toBe((await api().getDataset({ params: { id: 'eval-rows' } })).latest.sha256);
    expect(done.result?.classification?.accuracy).toBeCloseTo(0.8);
  });

  it.skipIf(!hasTools)('an unknown dataset: 404 naming the field, nothing stored', async () => {
    const trainings = (await api().listTrainings({ query: {} })).total;
    const error = await refusal(submit({ train: 'no-such-data' }));
    expect(error.status).toBe(404);
    expect(error.field).toBe('datasets.train');
    expect(error.message).toContain('"no-such-data"');
    expect((await refusal(submit({ train: 'shapes:9' }))).message).toContain('no version 9');
    expect((await api().listTrainings({ query: {} })).total).toBe(trainings);
    const evaluations = (await api().listEvaluations({ query: {} })).total;
    const evaluation = await refusal(api().createEvaluation({ body: { model: 'echo:1', data: 'no-such-data' } }));
    expect([evaluation.status, evaluation.field]).toEqual([404, 'data']);
    expect((await api().listEvaluations({ query: {} })).total).toBe(evaluations);
  });

  it.skipIf(!hasTools)('a path keeps working as before, relative ones still refused', async () => {
    expect((await submit({ train: data.csv })).datasets).toEqual({ train: data.csv });
    const error = await refusal(submit({ train: 'data/table.csv' }));
    expect([error.status, error.field]).toEqual([422, 'datasets.train']);
    expect(error.message).toContain('must be absolute');
  });
});

describe(`uploads${noTools}`, () => {
  it.skipIf(!hasTools)('a CSV: a new dataset; the same name again with new content: version 2', async () => {
    const made = await upload('uploaded', 'rows.csv', readFileSync(data.csv), 'text/csv');
    expect(made).toMatchObject({ name: 'uploaded', mode: 'copy', source: null });
    expect(made.latest.schema).toMatchObject({ kind: 'table', format: 'csv', rows: 40 });
    const same = await upload('uploaded', 'rows.csv', readFileSync(data.csv), 'text/csv');
    expect(same.latest.version).toBe(1);
    const next = await upload('uploaded', 'rows.csv', Buffer.from('a,label\n1,x\n'), 'text/csv');
    expect(next.latest.version).toBe(2);
    expect(next.versions).toBe(2);
  });

  it.skipIf(!hasTools)('a zipped folder: unpacked, its folder named like the zip taken as the root', async () => {
    const zip = writeZip(join(work, 'langs.zip'), {
      'langs/': '',
      'langs/ko/a.txt': '안녕하세요',
      'langs/en/a.txt': 'hello',
      'langs/en/b.txt': 'good morning',
    });
    const made = await upload('langs', 'langs.zip', readFileSync(zip), 'application/zip');
    expect(made.latest.schema.classes.map((c) => [c.name, c.count])).toEqual([
      ['en', 2],
      ['ko', 1],
    ]);
    expect(readdirSync(made.latest.path).sort()).toEqual(['en', 'ko']);
  });

  it.skipIf(!hasTools)('the CLI uploads a folder (zipped by the CLI) and previews it', async () => {
    const sent = await emkitCli(bridge, '--json', 'dataset', 'upload', 'cli-tones', data.sounds);
    expect(sent.code, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout).latest.schema.classes).toHaveLength(2);
    const shown = await emkitCli(bridge, 'dataset', 'preview', 'cli-tones');
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/high\s+3\s+audio\s+0\.wav \(0\.50 s\)/);
    const listed = await emkitCli(bridge, 'dataset', 'list');
    expect(listed.stdout).toContain('cli-tones');
  });

  it.skipIf(!hasTools)('zip slip: an entry with "..", an absolute one, a link: refused, nothing stored or written', async () => {
    const outside = join(work, 'escaped.txt');
    for (const [file, entries] of [
      ['dots.zip', { 'ok/a.txt': 'fine', '../../escaped.txt': 'out' }],
      ['absolute.zip', { 'ok/a.txt': 'fine', [outside]: 'out' }],
    ] as const) {
      const zip = writeZip(join(work, file), entries);
      const error = await refused(() => upload('slip', file, readFileSync(zip), 'application/zip'), 422, 'body');
      expect(error.message).toMatch(/"\.\.|absolute/);
      expect(existsSync(outside)).toBe(false);
    }
    const linked = join(work, 'link.zip');
    execFileSync(venvPython, [
      '-c',
      `import sys, zipfile, stat
with zipfile.ZipFile(sys.argv[1], "w") as z:
    info = zipfile.ZipInfo("ok/passwd"); info.external_attr = (stat.S_IFLNK | 0o777) << 16
    z.writestr(info, "/etc/passwd")`,
      linked,
    ]);
    const error = await refused(() => upload('slip', 'link.zip', readFileSync(linked), 'application/zip'), 422, 'body');
    expect(error.message).toContain('symbolic link');
  });

  it.skipIf(!hasTools)(`over --dataset-upload-mb ${UPLOAD_MB}: 413 naming the option, nothing stored`, async () => {
    const big = Buffer.alloc(UPLOAD_MB * 1024 * 1024 + 10, 65);
    const error = await refused(() => upload('too-big', 'big.csv', big, 'text/csv'), 413);
    expect(error.message).toContain('--dataset-upload-mb');
  });
});

describe(`bad input: the right error, nothing stored${noTools}`, () => {
  it.skipIf(!hasTools)('an empty folder: 422', async () => {
    const empty = join(work, 'empty');
    mkdirSync(empty);
    const error = await refused(() => create('empty', empty), 422, 'path');
    expect(error.message).toContain('no files');
    expect((await refused(() => create('empty-ref', empty, 'reference'), 422, 'path')).message).toContain('no files');
  });

  it.skipIf(!hasTools)('a FIFO, and a link to /dev/zero: 422 before anything is read', async () => {
    const fifo = join(work, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    expect((await refused(() => create('fifo', fifo), 422, 'path')).message).toContain('neither a regular file');
    const zero = join(work, 'zero.csv');
    symlinkSync('/dev/zero', zero);
    expect((await refused(() => create('zero', zero, 'reference'), 422, 'path')).message).toContain('neither a regular file');
  });

  it.skipIf(!hasTools)('a folder holding a FIFO and a link to /dev/zero: they are listed as skipped, never opened', async () => {
    const folder = join(work, 'with-specials');
    cpSync(data.texts, folder, { recursive: true });
    execFileSync('mkfifo', [join(folder, 'en', 'pipe.txt')]);
    symlinkSync('/dev/zero', join(folder, 'ko', 'zero.txt'));
    const made = await create('with-specials', folder, 'reference');
    expect(made.latest.schema.skipped.map((s) => s.file).sort()).toEqual(['en/pipe.txt', 'ko/zero.txt']);
    expect(made.latest.schema.classes.map((c) => c.count)).toEqual([3, 3]);
  });

  it.skipIf(!hasTools)('a relative path, a taken name, the emkit home, a bad CSV', async () => {
    expect((await refused(() => create('rel', 'table.csv'), 422, 'path')).message).toContain('absolute');
    expect((await refused(() => create('cities', data.csv), 409)).message).toContain('already exists');
    await refused(() => create('home', bridge.home, 'reference'), 422, 'path');
    const headerless = join(work, 'blank.csv');
    writeFileSync(headerless, '\n\n');
    expect((await refused(() => create('blank', headerless), 422, 'path')).message).toContain('no header');
  });

  it.skipIf(!hasTools)('delete: refused (409) while a running training reads the dataset', async () => {
    await create('in-use', data.csv);
    const source = writeTree(join(work, 'slow'), { 'train.py': 'import time\ntime.sleep(60)\n' });
    const training = await api().createTraining({
      body: { source: { path: source, entryPoint: 'train.py' }, datasets: { train: 'in-use' } },
    });
    const error = await refusal(api().deleteDataset({ params: { id: 'in-use' } }));
    expect(error.status).toBe(409);
    expect(error.message).toContain(`training "${training.name}"`);
    await api().stopTraining({ params: { id: training.id } });
    await settledTraining(bridge.client, training.id);
    await api().deleteDataset({ params: { id: 'in-use' } });
    expect(existsSync(join(bridge.home, 'datasets', 'in-use'))).toBe(false);
  });

  it.skipIf(!hasTools)('delete: the copy goes, a referenced path stays', async () => {
    await api().deleteDataset({ params: { id: 'with-empty' } });
    expect(existsSync(join(bridge.home, 'datasets', 'with-empty'))).toBe(false);
    await api().deleteDataset({ params: { id: 'tones' } });
    expect(existsSync(data.sounds)).toBe(true);
    expect((await refusal(api().getDataset({ params: { id: 'tones' } }))).status).toBe(404);
  });
});

describe(`a restart${noTools}`, () => {
  it.skipIf(!hasTools)('keeps the datasets and their previews; what a stopped scan left behind goes', async () => {
    const before = (await api().listDatasets({ query: {} })).items.map((d) => [d.name, d.latest.version]);
    const stale = join(bridge.home, 'datasets', '.staging', 'v-stale');
    mkdirSync(join(stale, 'data'), { recursive: true });
    writeFileSync(join(stale, 'data', 'half.csv'), 'a\n1\n');
    // moved in but never recorded (stopped between the two): a dataset of no record, a version past the newest
    const orphans = [join(bridge.home, 'datasets', 'orphan', '1'), join(bridge.home, 'datasets', 'shapes', '7')];
    for (const orphan of orphans) mkdirSync(join(orphan, 'data'), { recursive: true });
    const home = bridge.home;
    await bridge.stop();
    bridge = await startBridge({ home, args: ['--python', venvPython] });
    expect((await api().listDatasets({ query: {} })).items.map((d) => [d.name, d.latest.version])).toEqual(before);
    expect((await preview('shapes')).schema.classes).toHaveLength(2);
    expect(existsSync(stale)).toBe(false);
    for (const orphan of orphans) expect(existsSync(orphan)).toBe(false);
    expect(existsSync(join(bridge.home, 'datasets', 'shapes', '1', 'version.json'))).toBe(true);
  });
});
