import type { Endpoint, Model } from '@emkit/shared';
import { InputDialog, Notification } from '@jupyterlab/apputils';
import type { IEmkit } from '../tokens.js';
import type { Field } from '../views/form.js';

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

/** The form fields of what a stage serves: the model version and its instance count. */
export function stageFields(emkit: IEmkit, model?: Model): Field[] {
  const { resources, trans } = emkit;
  return [
    {
      name: 'model',
      label: trans.__('Model version'),
      kind: 'select',
      value: model ? model.id : undefined,
      options: resources.list('models').map((m): [string, string] => [m.id, `${m.name}:${m.version}`]),
    },
    { name: 'instanceCount', label: trans.__('Instances'), kind: 'number', value: '1' },
  ];
}
