import { type Dataset, formatBytes } from '@emkit/shared';
import type { TranslationBundle } from '@jupyterlab/translation';
import { deleteIcon } from '@jupyterlab/ui-components';
import { CommandIds } from '../commands.js';
import { IconButton, Row, Section } from './parts.js';
import type { Run } from './SidebarView.js';

/** What a dataset's newest version holds, in a few words: its kind and its size. */
export function datasetDetail(dataset: Dataset, trans: TranslationBundle): string {
  const { schema, bytes } = dataset.latest;
  const size = formatBytes(bytes);
  if (schema.kind === 'table') return trans.__('v%1 · table · %2 rows · %3', dataset.latest.version, schema.rows ?? '?', size);
  if (schema.kind === 'class-folders')
    return trans.__('v%1 · %2 classes · %3', dataset.latest.version, schema.classes.length, size);
  return trans.__('v%1 · %2 files · %3', dataset.latest.version, dataset.latest.files, size);
}

/** Datasets by name with their newest version; a click opens the preview. */
export function DatasetsSection({ datasets, trans, run }: { datasets: readonly Dataset[]; trans: TranslationBundle; run: Run }) {
  return (
    <Section
      name="datasets"
      title={trans.__('Datasets')}
      count={datasets.length}
      empty={trans.__(
        'No datasets yet. Make one with `emkit dataset create NAME PATH`, or upload a file or folder from the file browser.',
      )}
    >
      {datasets.map((dataset) => (
        <Row
          key={dataset.id}
          kind="dataset"
          name={dataset.name}
          onOpen={() => run(CommandIds.openDataset, dataset.id)}
          detail={<span title={dataset.description || (dataset.source ?? '')}>{datasetDetail(dataset, trans)}</span>}
          actions={
            <IconButton
              icon={deleteIcon}
              label={trans.__('Delete dataset %1', dataset.name)}
              onClick={() => run(CommandIds.deleteDataset, dataset.id)}
            />
          }
        />
      ))}
    </Section>
  );
}
