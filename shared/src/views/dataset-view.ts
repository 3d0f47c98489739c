import type { DatasetViewAction, DatasetViewMessage } from '../feeds/dataset-feed.js';
import type { Translate } from '../feeds/protocol.js';
import { formatBytes } from '../format.js';
import type { Dataset, DatasetPreview, DatasetSample } from '../schemas/datasets.js';
import { type ControlElement, control, h } from './dom.js';
import { ensureStyles } from './styles.js';

/**
 * A dataset's preview: what its version is (kind, size, files, where it is read from), then a
 * table's columns with their types and its first rows, or per class its count and a few
 * samples (thumbnails, durations, snippets), and the files the scanner skipped. Renders its
 * feed's messages and asks to preview another version, so it runs the same in a JupyterLab
 * tab and a VS Code webview.
 */
export class DatasetView {
  readonly element: HTMLElement;
  private readonly doc: Document;
  private readonly t: Translate;
  private readonly error: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly versions: ControlElement;
  private readonly body: HTMLElement;
  private dataset: Dataset | null = null;

  constructor(parent: HTMLElement, options: { name: string; t: Translate; act: (action: DatasetViewAction) => void }) {
    const doc = parent.ownerDocument;
    this.doc = doc;
    ensureStyles(doc);
    const { t } = options;
    this.t = t;
    this.error = h(doc, 'p', { className: 'emkit-reason emkit-feed-error' });
    this.summary = h(doc, 'p', { className: 'emkit-muted emkit-dataset-summary' });
    this.versions = control(doc, 'select', { className: 'emkit-dataset-version', label: t('Version') });
    this.versions.addEventListener('change', () => {
      const version = Number(this.versions.value);
      if (version) options.act({ action: 'selectVersion', version });
    });
    this.body = h(doc, 'div', { className: 'emkit-dataset-body' }, [
      h(doc, 'p', { className: 'emkit-muted', text: t('Loading…') }),
    ]);
    this.element = h(doc, 'div', { className: 'emkit-view emkit-dataset-view' }, [
      h(doc, 'h2', {}, [h(doc, 'span', { className: 'emkit-title', text: options.name })]),
      this.error,
      h(doc, 'div', { className: 'emkit-toolbar' }, [
        h(doc, 'label', { className: 'emkit-muted', text: t('Version') }),
        this.versions,
        this.summary,
      ]),
      this.body,
    ]);
    parent.appendChild(this.element);
  }

  handle(message: DatasetViewMessage): void {
    switch (message.type) {
      case 'dataset':
        this.error.textContent = '';
        this.dataset = message.dataset;
        this.renderVersions(message.versions);
        break;
      case 'preview':
        this.error.textContent = '';
        this.versions.value = String(message.preview.version);
        this.renderPreview(message.preview);
        break;
      case 'deleted':
        this.error.textContent = this.t('This dataset was deleted.');
        break;
      case 'error':
        this.error.textContent = message.message;
        break;
    }
  }

  dispose(): void {
    this.element.remove();
  }

  private renderVersions(versions: number[]): void {
    const current = this.versions.value;
    this.versions.replaceChildren(
      ...versions.map((v) => control(this.doc, 'option', { text: `v${v}`, attrs: { value: String(v) } })),
    );
    if (current) this.versions.value = current;
  }

  private renderPreview(preview: DatasetPreview): void {
    const { t, doc } = this;
    const { schema } = preview;
    const kind =
      schema.kind === 'table'
        ? t('table ({0})', schema.format)
        : schema.kind === 'class-folders'
          ? t('class folders')
          : t('files');
    const version = preview.version === this.dataset?.latest.version ? this.dataset.latest : null;
    const parts = [kind];
    if (version) parts.push(formatBytes(version.bytes), t('{0} files', version.files));
    if (this.dataset) parts.push(this.dataset.mode === 'copy' ? t('copied in') : t('read in place'));
    this.summary.textContent = parts.join(' · ');
    this.summary.title = version?.path ?? '';

    const sections: HTMLElement[] = [];
    if (schema.kind === 'table') sections.push(this.columnsSection(preview), this.rowsSection(preview));
    else if (schema.kind === 'class-folders') sections.push(this.classesSection(preview));
    else sections.push(h(doc, 'p', { className: 'emkit-muted', text: t('Plain files: no columns or classes to show.') }));
    if (schema.skippedCount > 0) sections.push(this.skippedSection(preview));
    this.body.replaceChildren(...sections);
  }

  private columnsSection(preview: DatasetPreview): HTMLElement {
    const { t, doc } = this;
    const { schema } = preview;
    const head = h(doc, 'tr', {}, [
      h(doc, 'th', { text: t('Column') }),
      h(doc, 'th', { text: t('Type') }),
      h(doc, 'th', { className: 'emkit-num', text: t('Empty') }),
      h(doc, 'th', { className: 'emkit-num', text: t('Distinct') }),
    ]);
    const rows = schema.columns.map((column) =>
      h(doc, 'tr', { attrs: { 'data-column': column.name } }, [
        h(doc, 'td', { text: column.name }),
        h(doc, 'td', { text: column.type }),
        h(doc, 'td', { className: 'emkit-num', text: String(column.nulls) }),
        h(doc, 'td', { className: 'emkit-num', text: column.distinct === null ? '—' : String(column.distinct) }),
      ]),
    );
    return h(doc, 'section', { className: 'emkit-section-columns' }, [
      h(doc, 'h3', { text: schema.rows === null ? t('Columns') : t('Columns · {0} rows', schema.rows) }),
      h(doc, 'table', { className: 'emkit-table emkit-dataset-columns' }, [
        h(doc, 'thead', {}, [head]),
        h(doc, 'tbody', {}, rows),
      ]),
    ]);
  }

  private rowsSection(preview: DatasetPreview): HTMLElement {
    const { t, doc } = this;
    const names = preview.schema.columns.map((c) => c.name);
    const cell = (value: unknown) =>
      value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
    const table = h(doc, 'table', { className: 'emkit-table emkit-dataset-rows' }, [
      h(doc, 'thead', {}, [
        h(
          doc,
          'tr',
          {},
          names.map((name) => h(doc, 'th', { text: name })),
        ),
      ]),
      h(
        doc,
        'tbody',
        {},
        preview.rows.map((row) =>
          h(
            doc,
            'tr',
            {},
            names.map((name) => h(doc, 'td', { text: cell(row[name]) })),
          ),
        ),
      ),
    ]);
    return h(doc, 'section', { className: 'emkit-section-rows' }, [
      h(doc, 'h3', { text: t('First {0} rows', preview.rows.length) }),
      h(doc, 'div', { className: 'emkit-dataset-table-wrap' }, [table]),
    ]);
  }

  private classesSection(preview: DatasetPreview): HTMLElement {
    const { t, doc } = this;
    const classes = preview.schema.classes.map((cls) => {
      const samples = preview.samples.find((s) => s.class === cls.name)?.samples ?? [];
      return h(doc, 'div', { className: 'emkit-dataset-class', attrs: { 'data-class': cls.name } }, [
        h(doc, 'h4', {}, [
          h(doc, 'span', { text: cls.name }),
          h(doc, 'span', { className: 'emkit-muted', text: t('{0} files', cls.count) }),
        ]),
        h(
          doc,
          'div',
          { className: 'emkit-dataset-samples' },
          samples.map((sample) => this.sample(sample)),
        ),
      ]);
    });
    return h(doc, 'section', { className: 'emkit-section-classes' }, [
      h(doc, 'h3', { text: t('{0} classes', preview.schema.classes.length) }),
      h(doc, 'div', { className: 'emkit-dataset-classes' }, classes),
    ]);
  }

  private sample(sample: DatasetSample): HTMLElement {
    const { t, doc } = this;
    const name = sample.file.split('/').pop() ?? sample.file;
    const children: HTMLElement[] = [];
    // only a PNG data: URL from the scanner is shown as an image, never an address to fetch
    if (sample.thumbnail?.startsWith('data:image/png;base64,')) {
      const img = h(doc, 'img', { attrs: { alt: name } });
      img.src = sample.thumbnail;
      children.push(img);
    }
    if (sample.durationSeconds !== null) children.push(h(doc, 'div', { text: t('{0} s', sample.durationSeconds.toFixed(2)) }));
    if (sample.snippet !== null) children.push(h(doc, 'div', { className: 'emkit-snippet', text: sample.snippet }));
    children.push(h(doc, 'div', { className: 'emkit-muted', text: name }));
    return h(
      doc,
      'div',
      { className: 'emkit-dataset-sample', title: sample.file, attrs: { 'data-kind': sample.kind } },
      children,
    );
  }

  private skippedSection(preview: DatasetPreview): HTMLElement {
    const { t, doc } = this;
    const { skipped, skippedCount } = preview.schema;
    return h(doc, 'section', { className: 'emkit-section-skipped' }, [
      h(doc, 'h3', { text: t('Skipped: {0} files', skippedCount) }),
      h(
        doc,
        'ul',
        {},
        skipped.map((s) => h(doc, 'li', { text: `${s.file}: ${s.reason}` })),
      ),
    ]);
  }
}
