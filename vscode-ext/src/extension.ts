import { ResourceStore } from '@emkit/shared';
import * as vscode from 'vscode';
import { AlertNotices } from './alert-notices.js';
import { BridgeLink } from './bridge.js';
import { type CommandContext, clientOf, registerCommands } from './commands/index.js';
import { TrainingLogs } from './logs.js';
import { BatchPanels } from './panels/batch-panels.js';
import { ComparisonPanels } from './panels/comparison-panels.js';
import { DetailPanels } from './panels/detail-panels.js';
import { NewModelPanels } from './panels/new-model-panels.js';
import { panelState } from './panels/panel-state.js';
import { SchedulePanels } from './panels/schedule-panels.js';
import { TuningPanels } from './panels/tuning-panels.js';
import { ScheduleNotices } from './schedule-notices.js';
import { TrainingStatus } from './status.js';
import { AlertsTree } from './trees/alerts.js';
import { BatchJobsTree } from './trees/batch-jobs.js';
import { ClustersTree } from './trees/clusters.js';
import { DatasetsTree } from './trees/datasets.js';
import { EndpointsTree } from './trees/endpoints.js';
import { EnvironmentsTree } from './trees/environments.js';
import { ExperimentsTree } from './trees/experiments.js';
import { ModelsTree } from './trees/models.js';
import { RecipesTree } from './trees/recipes.js';
import { SchedulesTree } from './trees/schedules.js';
import { TuningsTree } from './trees/tunings.js';
import { TuningNotices } from './tuning-notices.js';

/** What activate hands back: the extension-host tests read the trees, panels and messages through it. */
export interface EmkitExtensionApi {
  store: ResourceStore;
  link: BridgeLink;
  trees: {
    environments: EnvironmentsTree;
    experiments: ExperimentsTree;
    models: ModelsTree;
    endpoints: EndpointsTree;
    clusters: ClustersTree;
    datasets: DatasetsTree;
    recipes: RecipesTree;
    batchJobs: BatchJobsTree;
    schedules: SchedulesTree;
    alerts: AlertsTree;
    tunings: TuningsTree;
  };
  panels: DetailPanels;
  comparisons: ComparisonPanels;
  newModels: NewModelPanels;
  batches: BatchPanels;
  schedules: SchedulePanels;
  tunings: TuningPanels;
  logs: TrainingLogs;
  status: TrainingStatus;
  scheduleNotices: ScheduleNotices;
  alertNotices: AlertNotices;
  tuningNotices: TuningNotices;
  /** the error messages commands showed */
  errors: readonly string[];
}

export function activate(context: vscode.ExtensionContext): EmkitExtensionApi {
  const store = new ResourceStore();
  const link = new BridgeLink(store, context.secrets);
  const trees = {
    environments: new EnvironmentsTree(store, 'environments'),
    experiments: new ExperimentsTree(store, 'experiments'),
    models: new ModelsTree(store, 'models'),
    endpoints: new EndpointsTree(store, 'endpoints'),
    clusters: new ClustersTree(store, 'clusters'),
    datasets: new DatasetsTree(store, 'datasets'),
    recipes: new RecipesTree(store, 'recipes'),
    batchJobs: new BatchJobsTree(store, 'batchJobs'),
    schedules: new SchedulesTree(store, 'schedules'),
    alerts: new AlertsTree(store, 'alerts'),
    tunings: new TuningsTree(store, 'tunings'),
  };
  const panels = new DetailPanels(link, context.extensionUri);
  const comparisons = new ComparisonPanels(link, context.extensionUri);
  const newModels = new NewModelPanels(link, context.extensionUri, panels);
  const batches = new BatchPanels(link, context.extensionUri);
  const schedules = new SchedulePanels(link, context.extensionUri);
  const tunings = new TuningPanels(link, context.extensionUri);
  const logs = new TrainingLogs();
  const status = new TrainingStatus(store, link);
  const scheduleNotices = new ScheduleNotices(link);
  const alertNotices = new AlertNotices(link);
  const tuningNotices = new TuningNotices(link);
  context.subscriptions.push(
    alertNotices,
    tuningNotices,
    link,
    panels,
    comparisons,
    newModels,
    batches,
    schedules,
    tunings,
    logs,
    status,
    scheduleNotices,
    ...Object.values(trees),
  );
  for (const [name, tree] of Object.entries(trees)) {
    context.subscriptions.push(vscode.window.registerTreeDataProvider(`emkit.${name}`, tree));
  }
  const commandContext: CommandContext = {
    link,
    store,
    panels,
    comparisons,
    newModels,
    batches,
    schedules,
    tunings,
    logs,
    errors: [],
    secrets: context.secrets,
  };
  context.subscriptions.push(...registerCommands(commandContext));
  // the panels open when the window closed come back with it (package.json's onWebviewPanel
  // activation events), once the bridge answers; one whose resource is gone stays closed
  for (const viewType of [
    'emkit.training',
    'emkit.endpoint',
    'emkit.model',
    'emkit.tensorboard',
    'emkit.rayDashboard',
    'emkit.comparison',
    'emkit.dataset',
    'emkit.newModel',
    'emkit.batch',
    'emkit.schedule',
    'emkit.tuning',
    'emkit.tuneForm',
  ]) {
    context.subscriptions.push(
      vscode.window.registerWebviewPanelSerializer(viewType, {
        deserializeWebviewPanel: async (panel, saved) => {
          const state = panelState(saved);
          if (!state) return panel.dispose();
          try {
            const client = await clientOf(commandContext);
            if (state.kind === 'comparison') await comparisons.revive(panel, state, client);
            else if (state.kind === 'newModel') newModels.show(client, panel);
            else if (state.kind === 'batch') await batches.revive(panel, state.id, state.name, client);
            else if (state.kind === 'schedule') await schedules.revive(panel, state.id, state.name, client);
            else if (state.kind === 'tuning') await tunings.revive(panel, state.id, state.name, client);
            else if (state.kind === 'scheduleEditor' || state.kind === 'tuneForm') panel.dispose();
            else await panels.revive(panel, state, client);
          } catch {
            panel.dispose();
          }
        },
      }),
    );
  }
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((change) => {
      if (change.affectsConfiguration('emkit')) void link.connect();
    }),
  );
  // not awaited: activation stays quick, the trees say "Loading…" until the lists arrive
  void link.connect();
  return {
    store,
    link,
    trees,
    panels,
    comparisons,
    newModels,
    batches,
    schedules,
    tunings,
    logs,
    status,
    scheduleNotices,
    alertNotices,
    tuningNotices,
    errors: commandContext.errors,
  };
}

export function deactivate(): void {
  // everything is in context.subscriptions
}
