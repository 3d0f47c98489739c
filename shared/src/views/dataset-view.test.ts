// @vitest-environment happy-dom
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { DatasetViewAction } from '../feeds/dataset-feed.js';
import { untranslated } from '../feeds/protocol.js';
import type { Dataset, DatasetPreview } from '../schemas/datasets.js';
import { DatasetView } from './dataset-view.js';

/** Real previews: the scanner's answers for iris as a CSV and a class-folder tree (fixtures/make_datasets.py). */
const fixtures = JSON.parse(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'datasets.json'), 'utf8'),
) as Record<'table' | 'classes', DatasetPreview>;

function dataset(preview: DatasetPreview, latest = 2): Dataset {
  return {
    id: `ds-${preview.dataset}`,
    name: preview.dataset,
    description: '',
    mode: 'copy',
    source: `/data/${preview.dataset}`,
    latest: {
      dataset: preview.dataset,
      version: latest,
      sha256: 'a'.repeat(64),
      bytes: 4608,
      files: 12,
      path: `/home/.emkit/datasets/${preview.dataset}/${latest}/data`,
      schema: preview.schema,
      createdAt: '2026-12-06T00:00:00.000Z',
    },
    versions: latest,
    createdAt: '2026-12-06T00:00:00.000Z',
    updatedAt: '2026-12-06T00:00:00.000Z',
  };
}

function open(preview: DatasetPreview) {
  const parent = document.createElement('div');
  document.body.appendChild(parent);
  const actions: DatasetViewAction[] = [];
  const view = new DatasetView(parent, { name: preview.dataset, t: untranslated, act: (a) => actions.push(a) });
  view.handle({ type: 'dataset', dataset: dataset({ ...preview, version: 2 }), versions: [2, 1] });
  view.handle({ type: 'preview', preview: { ...preview, version: 2 } });
  return { parent, view, actions };
}

const texts = (root: Element, selector: string) => [...root.querySelectorAll(selector)].map((e) => e.textContent);

describe('the dataset view', () => {
  it("shows a table's columns with their types and its first rows", () => {
    const { parent } = open(fixtures.table);
    expect(texts(parent, '.emkit-dataset-columns tbody tr td:nth-child(1)')).toEqual([
      'sepal_length',
      'sepal_width',
      'petal_length',
      'petal_width',
      'target',
    ]);
    expect(parent.querySelector('[data-column="target"]')?.textContent).toBe('targetinteger03');
    expect(parent.querySelector('.emkit-section-columns h3')?.textContent).toBe('Columns · 150 rows');
    const rows = parent.querySelectorAll('.emkit-dataset-rows tbody tr');
    expect(rows).toHaveLength(fixtures.table.rows.length);
    expect(texts(rows[0] as Element, 'td')).toEqual(['5.1', '3.5', '1.4', '0.2', '0']);
    expect(parent.querySelector('.emkit-dataset-summary')?.textContent).toBe('table (csv) · 4.5 KiB · 12 files · copied in');
    expect(parent.querySelector('.emkit-section-classes')).toBeNull();
  });

  it('shows per class its count and samples: thumbnails, durations, snippets; and what was skipped', () => {
    const { parent } = open(fixtures.classes);
    expect(texts(parent, '.emkit-dataset-class h4')).toEqual(['beep2 files', 'circle3 files', 'note2 files', 'square3 files']);
    const circle = parent.querySelector('[data-class="circle"]') as Element;
    const images = circle.querySelectorAll('img');
    expect(images).toHaveLength(3);
    expect(images[0]?.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    expect(texts(parent.querySelector('[data-class="beep"]') as Element, '[data-kind="audio"] div:first-child')).toEqual([
      '0.50 s',
      '0.75 s',
    ]);
    expect(texts(parent, '[data-class="note"] .emkit-snippet')).toContain('안녕하세요, 데이터셋 미리보기입니다.');
    expect(parent.querySelector('.emkit-section-skipped h3')?.textContent).toBe('Skipped: 1 files');
    expect(parent.querySelector('.emkit-section-skipped li')?.textContent).toContain('broken.png');
    expect(parent.querySelector('.emkit-dataset-rows')).toBeNull();
  });

  it('never shows a thumbnail that is not a PNG data URL', () => {
    const classes = structuredClone(fixtures.classes);
    const sample = classes.samples[1]?.samples[0];
    if (sample) sample.thumbnail = 'https://example.com/x.png';
    const { parent } = open(classes);
    expect(parent.querySelector('[data-class="circle"]')?.querySelectorAll('img')).toHaveLength(2);
  });

  it('lists the versions and asks for another', () => {
    const { parent, actions } = open(fixtures.table);
    const select = parent.querySelector('select.emkit-dataset-version') as HTMLSelectElement;
    expect(texts(select, 'option')).toEqual(['v2', 'v1']);
    expect(select.value).toBe('2');
    select.value = '1';
    select.dispatchEvent(new Event('change'));
    expect(actions).toEqual([{ action: 'selectVersion', version: 1 }]);
  });

  it("says what the feed couldn't load, and that the dataset is gone", () => {
    const { parent, view } = open(fixtures.table);
    view.handle({ type: 'error', message: 'dataset "iris" not found' });
    expect(parent.querySelector('.emkit-feed-error')?.textContent).toBe('dataset "iris" not found');
    view.handle({ type: 'deleted' });
    expect(parent.querySelector('.emkit-feed-error')?.textContent).toBe('This dataset was deleted.');
  });
});
