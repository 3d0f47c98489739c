import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { BridgeConnection } from '../connection/connection.js';
import { ResourceStore } from '../resources.js';
import { IEmkit, SETTINGS_PLUGIN_ID, TRANSLATION_DOMAIN } from '../tokens.js';

/** The connection to the bridge, from the settings registry or found by the Jupyter server, and the resources it holds. */
export const corePlugin: JupyterFrontEndPlugin<IEmkit> = {
  id: SETTINGS_PLUGIN_ID,
  description: 'Connects to the emkit bridge and keeps its resources up to date from its event stream.',
  autoStart: true,
  requires: [ISettingRegistry],
  optional: [ITranslator],
  provides: IEmkit,
  activate: async (_app: JupyterFrontEnd, registry: ISettingRegistry, translator: ITranslator | null): Promise<IEmkit> => {
    const trans = (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
    const connection = new BridgeConnection();
    const resources = new ResourceStore();
    connection.event.connect((_, event) => resources.apply(event));
    connection.reloadNeeded.connect((_, client) => void resources.load(client));
    try {
      const settings = await registry.load(SETTINGS_PLUGIN_ID);
      const read = () =>
        connection.configure({
          bridgeUrl: String(settings.get('bridgeUrl').composite ?? ''),
          token: String(settings.get('token').composite ?? ''),
        });
      settings.changed.connect(read);
      read();
    } catch (error) {
      // without its settings the panel still finds the running bridge through the server
      console.warn('emkit: could not load the settings; using the running bridge', error);
      connection.configure({ bridgeUrl: '', token: '' });
    }
    return { connection, resources, trans };
  },
};
