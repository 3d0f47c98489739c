import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { alertNotificationsPlugin } from './plugins/alert-notifications.js';
import { batchSchedulesPlugin } from './plugins/batch-schedules.js';
import { commandsPlugin } from './plugins/commands.js';
import { comparisonPlugin } from './plugins/comparison.js';
import { corePlugin } from './plugins/core.js';
import { datasetsPlugin } from './plugins/datasets.js';
import { detailsPlugin } from './plugins/details.js';
import { noCodePlugin } from './plugins/no-code.js';
import { notificationsPlugin } from './plugins/notifications.js';
import { scheduleNotificationsPlugin } from './plugins/schedule-notifications.js';
import { sidebarPlugin } from './plugins/sidebar.js';
import { tuningNotificationsPlugin } from './plugins/tuning-notifications.js';
import { tuningsPlugin } from './plugins/tunings.js';
import { workflowsPlugin } from './plugins/workflows.js';

export { IEmkit } from './tokens.js';

/** One plugin per feature, wired through the IEmkit token the core plugin provides. */
const plugins: JupyterFrontEndPlugin<unknown>[] = [
  corePlugin,
  sidebarPlugin,
  commandsPlugin,
  notificationsPlugin,
  detailsPlugin,
  workflowsPlugin,
  comparisonPlugin,
  datasetsPlugin,
  noCodePlugin,
  batchSchedulesPlugin,
  scheduleNotificationsPlugin,
  alertNotificationsPlugin,
  tuningsPlugin,
  tuningNotificationsPlugin,
];
export default plugins;
