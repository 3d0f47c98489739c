import {
  type Endpoint,
  type Model,
  RUN_ON_STRINGS,
  RunOnError,
  runOnChoices,
  type StageAutoscaling,
  stageTarget,
  THIS_MACHINE,
} from '@emkit/shared';
import { InputDialog, Notification } from '@jupyterlab/apputils';
import type { IEmkit } from '../tokens.js';
import type { Field } from '../views/form.js';
import { viewTranslator } from '../views/translate.js';

/** The model version given (id or `name:version`), or the one the user picks; undefined when there is none or they cancel. */
export async function pickModel(emkit: IEmkit, title: string, given?: string): Promise<Model | undefined> {
  const { resources, trans } = emkit;
  if (given) return resources.find('models', given);
  const models = resources.list('models');
  if (!models.length) {
    Notification.info(trans.__('There are no models yet: create one from a COMPLETE training.'), { autoClose: 5000 });
    return undefined;
  }
  const names = models.map((m) => `${m.name}:${m.version}`);
  const picked = await InputDialog.getItem({ title, items: names });
  if (!picked.button.accept || picked.value === null) return undefined;
  return models[names.indexOf(picked.value)];
}

/** The endpoint given, or the one the user picks. */
export async function pickEndpoint(emkit: IEmkit, title: string, given?: string): Promise<Endpoint | undefined> {
  const { resources, trans } = emkit;
  if (given) return resources.find('endpoints', given);
  const endpoints = resources.list('endpoints');
  if (!endpoints.length) {
    Notification.info(trans.__('There are no endpoints yet.'), { autoClose: 4000 });
    return undefined;
  }
  const names = endpoints.map((e) => e.name);
  const picked = await InputDialog.getItem({ title, items: names });
  if (!picked.button.accept || picked.value === null) return undefined;
  return endpoints[names.indexOf(picked.value)];
}

/**
 * The form fields of what a stage serves and where: the model version, its instance count, and
 * "Run on" with, for a cluster, the autoscaling bounds.
 */
export function stageFields(emkit: IEmkit, model?: Model): Field[] {
  const { resources, trans } = emkit;
  const t = viewTranslator(trans);
  const runOn = runOnChoices(resources.list('clusters'), t);
  const onCluster = { field: 'runOn', value: THIS_MACHINE };
  return [
    {
      name: 'model',
      label: trans.__('Model version'),
      kind: 'select',
      value: model ? model.id : undefined,
      options: resources.list('models').map((m): [string, string] => [m.id, `${m.name}:${m.version}`]),
    },
    {
      name: 'runOn',
      label: t(RUN_ON_STRINGS.runOn),
      kind: 'select',
      value: runOn.initial,
      options: runOn.choices.map((c) => [c.value, c.label, c.disabled] as const),
    },
    { name: 'instanceCount', label: trans.__('Instances'), kind: 'number', value: '1' },
    { name: 'minReplicas', label: t(RUN_ON_STRINGS.minReplicas), kind: 'number', min: 0, hiddenWhen: onCluster },
    {
      name: 'maxReplicas',
      label: t(RUN_ON_STRINGS.maxReplicas),
      kind: 'number',
      hiddenWhen: onCluster,
      help: t(RUN_ON_STRINGS.autoscalingHelp),
    },
  ];
}

/** Where the stage of a filled-in form runs; a problem with the bounds is said, and undefined returned. */
export function stageTargetOf(
  emkit: IEmkit,
  values: Record<string, string>,
): { cluster: string | null; autoscaling?: StageAutoscaling } | undefined {
  try {
    return stageTarget(values.runOn ?? THIS_MACHINE, values.minReplicas, values.maxReplicas, viewTranslator(emkit.trans));
  } catch (error) {
    if (!(error instanceof RunOnError)) throw error;
    Notification.error(error.message, { autoClose: false });
    return undefined;
  }
}
