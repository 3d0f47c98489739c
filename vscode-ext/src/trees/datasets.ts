import { type Dataset, formatBytes } from '@emkit/shared';
import * as vscode from 'vscode';
import { type Node, row } from './node.js';
import { ResourceTree } from './provider.js';

/** What a dataset's newest version holds, in a few words: its kind and its size. */
export function datasetDescription(dataset: Dataset): string {
  const { schema, bytes, version, files } = dataset.latest;
  const size = formatBytes(bytes);
  if (schema.kind === 'table') return vscode.l10n.t('v{0} · table · {1} rows · {2}', version, schema.rows ?? '?', size);
  if (schema.kind === 'class-folders') return vscode.l10n.t('v{0} · {1} classes · {2}', version, schema.classes.length, size);
  return vscode.l10n.t('v{0} · {1} files · {2}', version, files, size);
}

/** Datasets by name with their newest version; a click opens the preview. */
export class DatasetsTree extends ResourceTree {
  protected readonly kinds = ['datasets'] as const;

  protected roots(): Node[] {
    return this.store.list('datasets').map((dataset) =>
      row({
        id: `dataset:${dataset.id}`,
        label: dataset.name,
        description: datasetDescription(dataset),
        tooltip: dataset.description || (dataset.source ?? undefined),
        icon: new vscode.ThemeIcon(dataset.latest.schema.kind === 'table' ? 'table' : 'file-directory'),
        contextValue: 'dataset',
        target: { kind: 'datasets', id: dataset.id, name: dataset.name },
      }),
    );
  }

  protected emptyText(): string {
    return vscode.l10n.t('No datasets yet — upload a file or folder, or run `emkit dataset create NAME PATH`.');
  }
}
