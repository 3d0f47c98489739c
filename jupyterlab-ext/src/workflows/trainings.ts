import {
  describePairProblem,
  EarlyStopError,
  type EarlyStopping,
  formatEarlyStop,
  formatPairs,
  nameFromFile,
  notebookParameters,
  type PairKind,
  PairsError,
  parseDuration,
  parseEarlyStop,
  parsePairs,
  placementChoices,
  RUN_ON_STRINGS,
  runOnChoices,
  THIS_MACHINE,
  trainingTarget,
} from '@emkit/shared';
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { CommandIds, type ResourceArgs } from '../commands.js';
import { discoverBridge } from '../connection/discover.js';
import { emkitIcon } from '../icons.js';
import { attempt, requireClient } from '../plugins/require-client.js';
import type { IEmkit } from '../tokens.js';
import { type Field, formDialog } from '../views/form.js';
import { viewTranslator } from '../views/translate.js';
import { currentDocument } from './current-document.js';

const NEW_EXPERIMENT = '\u0000new';

/**
 * A form's key=value box by the shared rule; a problem is shown under the field's label and
 * gives null, so nothing half-understood is sent.
 */
/** The early-stopping box: empty is none (null); a bad rule is said, in the UI's language, and undefined returned. */
function earlyStopFrom(emkit: IEmkit, text: string | undefined): EarlyStopping | null | undefined {
  if (!text?.trim()) return null;
  try {
    return parseEarlyStop(text, viewTranslator(emkit.trans));
  } catch (error) {
    if (!(error instanceof EarlyStopError)) throw error;
    Notification.error(error.message, { autoClose: false });
    return undefined;
  }
}

function pairsFrom(emkit: IEmkit, label: string, text: string | undefined, kind: PairKind): Record<string, string> | null {
  try {
    return parsePairs(text ?? '', kind);
  } catch (error) {
    if (!(error instanceof PairsError)) throw error;
    Notification.error(emkit.trans.__('%1: %2', label, describePairProblem(error.detail, viewTranslator(emkit.trans))), {
      autoClose: false,
    });
    return null;
  }
}

/** Submit the current notebook as a training, and copy a training with other hyperparameters. */
export function addTrainingCommands(app: JupyterFrontEnd, emkit: IEmkit): string[] {
  const { trans, resources } = emkit;
  const { commands } = app;
  const pairsHelp = trans.__('key=value, separated by spaces or lines; "quote" a value with spaces');
  const earlyStopHelp = trans.__(
    'metric:min|max:patience[:minDelta]: the training ends (COMPLETE) when the metric has not improved for that many points; empty: none',
  );
  const environmentOptions = (): [string, string][] => [
    ['', trans.__("The bridge's Python")],
    ...resources
      .list('environments')
      .filter((env) => env.state === 'ACTIVE')
      .map((env): [string, string] => [env.name, env.name]),
  ];

  commands.addCommand(CommandIds.submitNotebook, {
    label: trans.__('Submit Notebook as Training…'),
    caption: trans.__('Save this notebook and run it as an emkit training'),
    icon: emkitIcon,
    isEnabled: () => currentDocument(app) !== null,
    execute: async () => {
      const client = requireClient(emkit);
      const document = currentDocument(app);
      if (!client || !document) return;
      const { context } = document;
      await context.save();
      const rootDir = (await discoverBridge())?.rootDir;
      if (!rootDir) {
        Notification.error(
          trans.__("JupyterLab's server did not say where its files are; is the emkit server extension enabled?"),
        );
        return;
      }
      const parameters = context.path.endsWith('.ipynb') ? notebookParameters(context.model.toJSON() as never) : {};
      const experiments = resources.list('experiments');
      const t = viewTranslator(trans);
      const runOn = runOnChoices(resources.list('clusters'), t);
      const fields: Field[] = [
        { name: 'name', label: trans.__('Name'), value: nameFromFile(context.path) },
        {
          name: 'experiment',
          label: trans.__('Experiment'),
          kind: 'select',
          options: [
            ...experiments.map((e): [string, string] => [e.name, e.name]),
            [NEW_EXPERIMENT, trans.__('New experiment (name below)')],
          ],
        },
        {
          name: 'newExperiment',
          label: trans.__('New experiment name'),
          value: experiments.length ? '' : nameFromFile(context.path),
        },
        { name: 'environment', label: trans.__('Environment'), kind: 'select', options: environmentOptions() },
        {
          name: 'hyperparameters',
          label: trans.__('Hyperparameters'),
          kind: 'textarea',
          value: formatPairs(parameters),
          help: trans.__("%1; from the notebook's parameters cell", pairsHelp),
        },
        {
          name: 'datasets',
          label: trans.__('Datasets'),
          kind: 'textarea',
          placeholder: 'train=/data/train.csv',
          help: pairsHelp,
        },
        {
          name: 'runOn',
          label: t(RUN_ON_STRINGS.runOn),
          kind: 'select',
          value: runOn.initial,
          options: runOn.choices.map((c) => [c.value, c.label, c.disabled] as const),
        },
        { name: 'instanceCount', label: trans.__('Instances'), kind: 'number', value: '1' },
        {
          name: 'placement',
          label: t(RUN_ON_STRINGS.placement),
          kind: 'select',
          options: placementChoices(t),
          hiddenWhen: { field: 'runOn', value: THIS_MACHINE },
        },
        { name: 'maxTime', label: trans.__('Maximum time'), placeholder: '2h30m', help: trans.__('empty: no limit') },
        { name: 'earlyStop', label: trans.__('Early stopping'), placeholder: 'val_loss:min:5', help: earlyStopHelp },
      ];
      const values = await formDialog(trans, trans.__('Submit %1 as a training', context.path), fields, trans.__('Submit'));
      if (!values) return;
      const experiment = values.experiment === NEW_EXPERIMENT || !values.experiment ? values.newExperiment : values.experiment;
      const maxSeconds = values.maxTime ? parseDuration(values.maxTime) : undefined;
      if (values.maxTime && !maxSeconds) {
        Notification.error(trans.__('Maximum time "%1" is not a duration like 2h30m.', values.maxTime));
        return;
      }
      const hyperparameters = pairsFrom(emkit, trans.__('Hyperparameters'), values.hyperparameters, 'hyperparameter');
      const datasets = hyperparameters && pairsFrom(emkit, trans.__('Datasets'), values.datasets, 'dataset');
      if (!hyperparameters || !datasets) return;
      const earlyStopping = earlyStopFrom(emkit, values.earlyStop);
      if (earlyStopping === undefined) return;
      const training = await attempt(emkit, trans.__('Could not submit %1', context.path), () =>
        client.api.createTraining({
          body: {
            name: values.name || undefined,
            ...(experiment ? { experiment } : {}),
            source: { path: `${rootDir}/${context.path}` },
            hyperparameters,
            datasets,
            ...(values.environment ? { environment: values.environment } : {}),
            instanceCount: Number(values.instanceCount || 1),
            ...(maxSeconds ? { maxDurationSeconds: maxSeconds } : {}),
            ...(earlyStopping ? { earlyStopping } : {}),
            ...trainingTarget(values.runOn ?? runOn.initial, values.placement),
          },
        }),
      );
      if (training) await commands.execute(CommandIds.openTraining, { id: training.id });
    },
  });

  commands.addCommand(CommandIds.copyTraining, {
    label: trans.__('Copy Training…'),
    execute: async (args) => {
      const client = requireClient(emkit);
      const source = (args as ResourceArgs).id ? resources.find('trainings', String((args as ResourceArgs).id)) : undefined;
      if (!client || !source) return;
      const t = viewTranslator(trans);
      const runOn = runOnChoices(resources.list('clusters'), t, source.cluster);
      const values = await formDialog(
        trans,
        trans.__('Copy training %1', source.name),
        [
          { name: 'name', label: trans.__('Name'), value: `${source.name}-copy`.slice(0, 50) },
          {
            name: 'hyperparameters',
            label: trans.__('Hyperparameters'),
            kind: 'textarea',
            value: formatPairs(source.hyperparameters),
            help: pairsHelp,
          },
          {
            name: 'earlyStop',
            label: trans.__('Early stopping'),
            value: source.earlyStopping ? formatEarlyStop(source.earlyStopping) : '',
            placeholder: 'val_loss:min:5',
            help: earlyStopHelp,
          },
          {
            name: 'runOn',
            label: t(RUN_ON_STRINGS.runOn),
            kind: 'select',
            value: runOn.initial,
            options: runOn.choices.map((c) => [c.value, c.label, c.disabled] as const),
          },
          {
            name: 'placement',
            label: t(RUN_ON_STRINGS.placement),
            kind: 'select',
            value: source.placementStrategy ?? undefined,
            options: placementChoices(t),
            hiddenWhen: { field: 'runOn', value: THIS_MACHINE },
          },
        ],
        trans.__('Start'),
      );
      if (!values) return;
      const hyperparameters = pairsFrom(emkit, trans.__('Hyperparameters'), values.hyperparameters, 'hyperparameter');
      if (!hyperparameters) return;
      const earlyStopping = earlyStopFrom(emkit, values.earlyStop);
      if (earlyStopping === undefined) return;
      const copy = await attempt(emkit, trans.__('Could not copy %1', source.name), () =>
        client.api.copyTraining({
          params: { id: source.id },
          body: {
            name: values.name,
            hyperparameters,
            earlyStopping,
            ...trainingTarget(values.runOn ?? runOn.initial, values.placement),
          },
        }),
      );
      if (copy) await commands.execute(CommandIds.openTraining, { id: copy.id });
    },
  });

  return [CommandIds.submitNotebook, CommandIds.copyTraining];
}
