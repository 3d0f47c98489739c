import type { Environment } from '@emkit/shared';
import type { TranslationBundle } from '@jupyterlab/translation';
import { deleteIcon } from '@jupyterlab/ui-components';
import { CommandIds } from '../commands.js';
import { IconButton, Row, Section } from './parts.js';
import type { Run } from './SidebarView.js';

export function EnvironmentsSection({
  environments,
  trans,
  run,
}: {
  environments: readonly Environment[];
  trans: TranslationBundle;
  run: Run;
}) {
  return (
    <Section
      name="environments"
      title={trans.__('Environments')}
      count={environments.length}
      empty={trans.__('No environments yet. Create one with `emkit env create NAME`.')}
    >
      {environments.map((environment) => (
        <Row
          key={environment.id}
          kind="environment"
          name={environment.name}
          onOpen={() => run(CommandIds.openEnvironment, environment.id)}
          state={environment.state}
          detail={trans.__('%1 · Python %2', environment.manager, environment.python)}
          actions={
            <IconButton
              icon={deleteIcon}
              label={trans.__('Delete environment %1', environment.name)}
              onClick={() => run(CommandIds.deleteEnvironment, environment.id)}
            />
          }
        />
      ))}
    </Section>
  );
}
