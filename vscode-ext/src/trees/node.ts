import { stateTone, type Tone } from '@emkit/shared';
import * as vscode from 'vscode';

/** One row of any emkit tree; `children` is there when the row opens. */
export interface Node {
  item: vscode.TreeItem;
  children?: () => Node[];
  /** what a command on this row acts on (the route's resource and id) */
  target?: {
    kind:
      | 'environments'
      | 'experiments'
      | 'trainings'
      | 'models'
      | 'endpoints'
      | 'datasets'
      | 'recipes'
      | 'clusters'
      | 'batch-inferences'
      | 'schedules'
      | 'alerts'
      | 'tunings';
    id: string;
    name: string;
  };
  /** a stage row: the stage's name (its target is the endpoint) */
  stage?: string;
}

/** What a click on a row opens: the resource's panel. */
const OPEN_COMMANDS: Partial<Record<NonNullable<Node['target']>['kind'], string>> = {
  trainings: 'emkit.openTraining',
  endpoints: 'emkit.openEndpoint',
  models: 'emkit.openModel',
  datasets: 'emkit.openDataset',
  'batch-inferences': 'emkit.openBatchJob',
  schedules: 'emkit.openSchedule',
  tunings: 'emkit.openTuning',
};

// the tones are shared with JupyterLab and the CLI; only the icon is VS Code's
const ICONS: Record<Tone, [string, string | undefined]> = {
  ok: ['pass-filled', 'testing.iconPassed'],
  busy: ['loading~spin', undefined],
  failed: ['error', 'testing.iconFailed'],
  stopped: ['circle-slash', 'disabledForeground'],
};

export function stateIcon(state: string): vscode.ThemeIcon {
  return toneIcon(stateTone(state));
}

export function toneIcon(tone: Tone): vscode.ThemeIcon {
  const [icon, color] = ICONS[tone];
  return new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
}

interface RowOptions {
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  icon?: vscode.ThemeIcon;
  contextValue?: string;
  children?: () => Node[];
  expanded?: boolean;
  target?: Node['target'];
  stage?: string;
}

export function row(options: RowOptions): Node {
  const state = options.children
    ? options.expanded
      ? vscode.TreeItemCollapsibleState.Expanded
      : vscode.TreeItemCollapsibleState.Collapsed
    : vscode.TreeItemCollapsibleState.None;
  const item = new vscode.TreeItem(options.label, state);
  item.id = options.id;
  item.description = options.description;
  item.tooltip = options.tooltip;
  item.iconPath = options.icon;
  item.contextValue = options.contextValue;
  const open = options.target && !options.stage ? OPEN_COMMANDS[options.target.kind] : undefined;
  if (open) item.command = { command: open, title: '', arguments: [{ target: options.target }] };
  return { item, children: options.children, target: options.target, stage: options.stage };
}

/** A row that only says something: "loading…", "the bridge isn't reachable — …", "nothing here yet". */
export function message(id: string, text: string, icon = 'info'): Node {
  const node = row({ id: `message:${id}`, label: text, icon: new vscode.ThemeIcon(icon) });
  node.item.tooltip = text;
  return node;
}
