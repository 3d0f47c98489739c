import { refreshIcon, settingsIcon } from '@jupyterlab/ui-components';
import type { CommandRegistry } from '@lumino/commands';
import { CommandIds } from '../commands.js';
import type { ConnectionStatus } from '../connection/connection.js';
import type { LoadState } from '../resources.js';
import type { IEmkit } from '../tokens.js';
import { viewTranslator } from '../views/translate.js';
import { AlertsSection } from './AlertsSection.js';
import { BatchJobsSection } from './BatchJobsSection.js';
import { ClustersSection } from './ClustersSection.js';
import { ConnectionBanner } from './ConnectionBanner.js';
import { DatasetsSection } from './DatasetsSection.js';
import { EndpointsSection } from './EndpointsSection.js';
import { EnvironmentsSection } from './EnvironmentsSection.js';
import { ExperimentsSection } from './ExperimentsSection.js';
import { useSignal } from './hooks.js';
import { ModelsSection } from './ModelsSection.js';
import { IconButton } from './parts.js';
import { RecipesSection } from './RecipesSection.js';
import { SchedulesSection } from './SchedulesSection.js';
import { TuningsSection } from './TuningsSection.js';

/** Runs an emkit command on one resource (by id); the commands ask, act and report. */
export type Run = (command: string, id?: string, extra?: Record<string, string>) => void;

/**
 * Whether the lists are shown: only while the bridge is there (connected, or its socket on the
 * way back) and they were loaded from it. Under "not reachable" or a refused token they would
 * be stale, so the banner stands alone, as VS Code's trees hold only their message then.
 */
export function listsShown(status: ConnectionStatus, load: LoadState): boolean {
  return (status.kind === 'connected' || status.kind === 'connecting') && (load.kind === 'loaded' || load.kind === 'loading');
}

export function SidebarView({ emkit, commands }: { emkit: IEmkit; commands: CommandRegistry }) {
  const { connection, resources, trans } = emkit;
  useSignal(connection.statusChanged);
  useSignal(resources.changed);
  const run: Run = (command, id, extra) => void commands.execute(command, { ...(id ? { id } : {}), ...extra });
  const data = resources.snapshot;
  return (
    <div className="emkit-Sidebar">
      <div className="emkit-Sidebar-header">
        <h2 className="emkit-Sidebar-title">{trans.__('emkit')}</h2>
        <IconButton icon={refreshIcon} label={trans.__('Refresh')} onClick={() => run(CommandIds.refresh)} />
        <IconButton icon={settingsIcon} label={trans.__('emkit Settings')} onClick={() => run(CommandIds.openSettings)} />
      </div>
      <ConnectionBanner
        status={connection.status}
        load={resources.state}
        trans={trans}
        onRetry={() => run(CommandIds.refresh)}
        onSettings={() => run(CommandIds.openSettings)}
      />
      {listsShown(connection.status, resources.state) && (
        <div className="emkit-Sidebar-content">
          <EnvironmentsSection environments={data.environments} trans={trans} run={run} />
          <DatasetsSection datasets={data.datasets} trans={trans} run={run} />
          <RecipesSection recipes={data.recipes} trans={trans} run={run} />
          <ExperimentsSection experiments={data.experiments} trainings={data.trainings} trans={trans} run={run} />
          <TuningsSection tunings={data.tunings} trans={trans} run={run} />
          <ModelsSection models={data.models} trans={trans} run={run} />
          <BatchJobsSection batches={data['batch-inferences']} trans={trans} run={run} />
          <SchedulesSection schedules={data.schedules} trans={trans} run={run} />
          <EndpointsSection endpoints={data.endpoints} trans={trans} run={run} />
          <AlertsSection
            rules={data.alerts}
            eventsOf={(id) => resources.recentAlertEvents(id)}
            trans={trans}
            t={viewTranslator(trans)}
            run={run}
          />
          <ClustersSection clusters={data.clusters} trans={trans} run={run} />
        </div>
      )}
    </div>
  );
}
