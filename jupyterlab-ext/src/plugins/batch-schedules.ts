import type { EmkitClient, ScheduleLocale, ScheduleOrigin } from '@emkit/shared';
import { ILayoutRestorer, type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, InputDialog, MainAreaWidget, Notification, WidgetTracker } from '@jupyterlab/apputils';
import { ITranslator } from '@jupyterlab/translation';
import type { ReadonlyJSONObject } from '@lumino/coreutils';
import type { Widget } from '@lumino/widgets';
import { CommandIds, type ResourceArgs } from '../commands.js';
import { discoverBridge } from '../connection/discover.js';
import { scheduleIcon } from '../icons.js';
import { IEmkit } from '../tokens.js';
import { BatchWidget, ScheduleEditorWidget, ScheduleWidget } from '../views/batch-schedule-widgets.js';
import { viewTranslator } from '../views/translate.js';
import { currentDocument } from '../workflows/current-document.js';
import { addScoreCommand } from '../workflows/score.js';
import { attempt, requireClient } from './require-client.js';
import { lookUpRestored } from './restore.js';

type OpenArgs = ResourceArgs & { restoring?: boolean; name?: string };
/** Where "Schedule…" was asked from: a training, a recipe, a model version; none: the notebook in front. */
type ScheduleArgs = { training?: string; recipe?: string; model?: string };

/** How long a tab restored after a reload waits for the bridge before it is left closed. */
const RESTORE_WAIT_MS = 5000;
const EDITOR_TAB_ID = 'emkit-schedule-editor-tab';

/**
 * Batch scoring and schedules in JupyterLab: "Score a Dataset…" (a model version's form, then
 * the job's view), the batch job's and the schedule's views (restored after a reload, as the
 * other emkit tabs are), "Schedule…" (from a training, a recipe, a model version or the
 * notebook's toolbar: the schedule editor), pause / resume / run now, and "Open output", which
 * opens the predictions in JupyterLab when they are under its root.
 */
export const batchSchedulesPlugin: JupyterFrontEndPlugin<void> = {
  id: '@emkit/jupyterlab:batch-schedules',
  description: 'Score a dataset with a model version, and schedule retraining and scoring.',
  autoStart: true,
  requires: [IEmkit],
  optional: [ICommandPalette, ILayoutRestorer, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    emkit: IEmkit,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    translator: ITranslator | null,
  ) => {
    const { trans, connection, resources } = emkit;
    const t = viewTranslator(trans);
    const locale: ScheduleLocale = translator?.languageCode?.toLowerCase().startsWith('ko') ? 'ko' : 'en';
    const { commands, shell } = app;

    const restoreArgs = new WeakMap<Widget, ReadonlyJSONObject>();
    const tracker = (command: string) => {
      const tracked = new WidgetTracker<MainAreaWidget>({ namespace: command.replace(':', '-') });
      void restorer?.restore(tracked, {
        command,
        args: (tab) => ({ ...restoreArgs.get(tab), restoring: true }),
        name: (tab) => tab.id,
      });
      return tracked;
    };
    const trackers = new Map<string, WidgetTracker<MainAreaWidget>>(
      [CommandIds.openBatch, CommandIds.openSchedule].map((command) => [command, tracker(command)]),
    );
    const reveal = (id: string): boolean => {
      if (![...shell.widgets('main')].some((widget) => widget.id === id)) return false;
      shell.activateById(id);
      return true;
    };
    const addTab = (content: Widget, id: string, label: string, command: string | null, args: ReadonlyJSONObject) => {
      const tab = new MainAreaWidget({ content });
      tab.id = id;
      tab.title.label = label;
      tab.title.icon = scheduleIcon;
      tab.title.closable = true;
      tab.addClass('emkit-DetailTab');
      restoreArgs.set(tab, args);
      if (command) void trackers.get(command)?.add(tab);
      shell.add(tab, 'main');
      shell.activateById(id);
      return tab;
    };

    /** The client, and the resource a tab shows: given, or (restoring a tab) looked up; undefined: leave it closed. */
    const target = async (
      kind: 'batch-inferences' | 'schedules',
      args: OpenArgs,
      get: (client: EmkitClient, id: string) => Promise<{ id: string; name: string }>,
    ): Promise<{ client: EmkitClient; id: string; name: string } | undefined> => {
      const client = args.restoring ? await connection.whenConnected(RESTORE_WAIT_MS) : requireClient(emkit);
      if (!client) return undefined;
      if (!args.id) {
        if (args.restoring) return undefined;
        // the palette: pick one by name
        const items = resources.list(kind) as readonly { id: string; name: string }[];
        if (!items.length) {
          Notification.info(trans.__('Nothing to choose from yet.'), { autoClose: 4000 });
          return undefined;
        }
        const names = items.map((item) => item.name);
        const picked = await InputDialog.getItem({ title: trans.__('Open which one?'), items: names });
        const item = picked.button.accept && picked.value !== null ? items[names.indexOf(picked.value)] : undefined;
        return item && { client, id: item.id, name: item.name };
      }
      if (!args.restoring) return { client, id: args.id, name: args.name ?? args.id };
      const found = await lookUpRestored(() => get(client, args.id as string));
      if (found.kind === 'gone') return undefined;
      if (found.kind === 'failed')
        Notification.error(trans.__('Could not reopen %1: %2', args.name ?? args.id, found.message), { autoClose: false });
      return { client, id: args.id, name: found.kind === 'found' ? found.resource.name : (args.name ?? args.id) };
    };

    /** The predictions in JupyterLab when they are under its root; else where they are. */
    const openOutput = async (batchId: string) => {
      const batch = resources.find('batch-inferences', batchId);
      if (!batch) return;
      const rootDir = (await discoverBridge())?.rootDir?.replace(/\/+$/, '');
      if (rootDir && batch.outputFile.startsWith(`${rootDir}/`)) {
        await commands.execute('docmanager:open', { path: batch.outputFile.slice(rootDir.length + 1) });
        return;
      }
      Notification.info(trans.__("The predictions are at %1, outside JupyterLab's folder.", batch.outputFile), {
        autoClose: false,
      });
    };

    commands.addCommand(CommandIds.openBatch, {
      label: trans.__('Open Batch Job View…'),
      execute: async (args) => {
        const given = args as OpenArgs;
        const found = await target('batch-inferences', given, (client, id) => client.api.getBatchInference({ params: { id } }));
        if (!found) return;
        const { client, id: batchId } = found;
        const name = resources.find('batch-inferences', batchId)?.name ?? found.name;
        const id = `emkit-batch-tab-${batchId}`;
        if (reveal(id)) return;
        const content = new BatchWidget(connection, client, batchId, t, (action) => {
          const batch = resources.find('batch-inferences', batchId);
          if (action.action === 'openOutput')
            void attempt(emkit, trans.__('Could not open the predictions of %1', name), () => openOutput(batchId));
          else if (action.action === 'openModel' && batch) void commands.execute(CommandIds.openModel, { id: batch.model.id });
          else if (action.action === 'delete') void commands.execute(CommandIds.deleteBatch, { id: batchId });
        });
        addTab(content, id, trans.__('Batch %1', name), CommandIds.openBatch, { id: batchId, name });
      },
    });

    commands.addCommand(CommandIds.openSchedule, {
      label: trans.__('Open Schedule View…'),
      execute: async (args) => {
        const found = await target('schedules', args as OpenArgs, (client, id) => client.api.getSchedule({ params: { id } }));
        if (!found) return;
        const { client, id: scheduleId } = found;
        const name = resources.find('schedules', scheduleId)?.name ?? found.name;
        const id = `emkit-schedule-tab-${scheduleId}`;
        if (reveal(id)) return;
        const content = new ScheduleWidget(connection, client, scheduleId, t, locale, (action) => {
          if (action.action === 'delete') void commands.execute(CommandIds.deleteSchedule, { id: scheduleId });
          else if (action.action === 'openResource') {
            const open = {
              trainings: CommandIds.openTraining,
              models: CommandIds.openModel,
              evaluations: null,
              'batch-inferences': CommandIds.openBatch,
            }[action.resource];
            if (open) void commands.execute(open, { id: action.id });
            else {
              // an evaluation is shown in its model's view
              const evaluation = resources.find('evaluations', action.id);
              if (evaluation) void commands.execute(CommandIds.openModel, { id: evaluation.model.id, evaluation: action.id });
            }
          }
        });
        addTab(content, id, trans.__('Schedule %1', name), CommandIds.openSchedule, { id: scheduleId, name });
      },
    });

    commands.addCommand(CommandIds.newSchedule, {
      label: trans.__('Schedule…'),
      caption: trans.__('Run this notebook, a training, a recipe or a scoring again on a schedule'),
      icon: scheduleIcon,
      execute: async (args) => {
        const client = requireClient(emkit);
        if (!client) return;
        const given = args as ScheduleArgs;
        let origin: ScheduleOrigin = { kind: 'none' };
        if (given.training) origin = { kind: 'training', training: given.training };
        else if (given.recipe) origin = { kind: 'recipe', recipe: given.recipe };
        else if (given.model) origin = { kind: 'model', model: given.model };
        else {
          const document = currentDocument(app);
          const rootDir = (await discoverBridge())?.rootDir?.replace(/\/+$/, '');
          if (document && rootDir) {
            await document.context.save();
            origin = { kind: 'notebook', path: `${rootDir}/${document.context.path}` };
          }
        }
        // one editor at a time: a new "Schedule…" replaces the one open
        for (const widget of shell.widgets('main')) if (widget.id === EDITOR_TAB_ID) widget.dispose();
        let tab: MainAreaWidget | null = null;
        const content = new ScheduleEditorWidget(connection, client, origin, t, locale, {
          cancel: () => tab?.dispose(),
          saved: (schedule) => {
            tab?.dispose();
            void commands.execute(CommandIds.openSchedule, { id: schedule.id, name: schedule.name });
          },
        });
        tab = addTab(content, EDITOR_TAB_ID, trans.__('New Schedule'), null, {});
      },
    });

    const scheduleCall = (id: string, label: string, call: (client: EmkitClient, id: string) => Promise<unknown>) =>
      commands.addCommand(id, {
        label,
        execute: async (args) => {
          const client = requireClient(emkit);
          const scheduleId = (args as ResourceArgs).id;
          if (!client || !scheduleId) return;
          const name = resources.find('schedules', scheduleId)?.name ?? scheduleId;
          await attempt(emkit, trans.__('Could not change schedule %1', name), () => call(client, scheduleId));
        },
      });
    scheduleCall(CommandIds.pauseSchedule, trans.__('Pause Schedule'), (client, id) =>
      client.api.pauseSchedule({ params: { id } }),
    );
    scheduleCall(CommandIds.resumeSchedule, trans.__('Resume Schedule'), (client, id) =>
      client.api.resumeSchedule({ params: { id } }),
    );
    scheduleCall(CommandIds.runSchedule, trans.__('Run Schedule Now'), (client, id) =>
      client.api.runSchedule({ params: { id } }),
    );

    addScoreCommand(app, emkit);
    for (const command of [CommandIds.scoreDataset, CommandIds.newSchedule, CommandIds.openBatch, CommandIds.openSchedule])
      palette?.addItem({ command, category: 'emkit' });
  },
};
