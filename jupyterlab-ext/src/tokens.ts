import type { TranslationBundle } from '@jupyterlab/translation';
import { Token } from '@lumino/coreutils';
import type { BridgeConnection } from './connection/connection.js';
import type { ResourceStore } from './resources.js';

/** What every emkit plugin shares: one connection to the bridge and the resources it holds. */
export interface IEmkit {
  readonly connection: BridgeConnection;
  readonly resources: ResourceStore;
  /** the emkit_jupyterlab translation domain in JupyterLab's current language */
  readonly trans: TranslationBundle;
}

export const IEmkit = new Token<IEmkit>('@emkit/jupyterlab:IEmkit', 'The emkit bridge connection and the resources it holds');

/** The translation domain of the Korean (and any later) catalog: locale/<lang>/LC_MESSAGES/emkit_jupyterlab.json */
export const TRANSLATION_DOMAIN = 'emkit_jupyterlab';

/** The id of the settings plugin (schema/plugin.json). */
export const SETTINGS_PLUGIN_ID = '@emkit/jupyterlab:plugin';
