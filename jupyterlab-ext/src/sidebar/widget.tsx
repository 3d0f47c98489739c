import { ReactWidget } from '@jupyterlab/ui-components';
import type { CommandRegistry } from '@lumino/commands';
import { emkitIcon } from '../icons.js';
import type { IEmkit } from '../tokens.js';
import { SidebarView } from './SidebarView.js';

/** The emkit panel in JupyterLab's left area. */
export class EmkitSidebar extends ReactWidget {
  constructor(
    private readonly emkit: IEmkit,
    private readonly commands: CommandRegistry,
  ) {
    super();
    this.id = 'emkit-sidebar';
    this.addClass('emkit-SidebarWidget');
    this.title.icon = emkitIcon;
    this.title.caption = emkit.trans.__('emkit: environments, experiments, trainings, models and endpoints');
  }

  protected override render() {
    return <SidebarView emkit={this.emkit} commands={this.commands} />;
  }
}
