// The script inside emkit's webviews (a browser, no Node, no network of its own): it shows a
// shared view and relays — the extension host's feed posts view messages here, the view's
// actions go back. Its words arrive pre-translated in the page, as JSON.
import {
  BatchView,
  ComparisonView,
  DatasetView,
  EndpointView,
  ModelView,
  NewModelView,
  ScheduleEditor,
  ScheduleView,
  TrainingView,
  type Translate,
  TuneForm,
  TuningView,
  untranslated,
  useControls,
} from '@emkit/shared/views';
// The controls are @vscode-elements' components (the successor of the deprecated webview UI
// toolkit), so buttons and fields look and behave like VS Code's own; JupyterLab keeps plain
// HTML. Only these modules are bundled, each defining its element. They need nothing the
// page's CSP refuses: styles are constructed stylesheets, and no codicon font is loaded
// (no control here is given an icon).
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';

declare function acquireVsCodeApi(): { postMessage(message: unknown): void; setState(state: unknown): void };

const vscode = acquireVsCodeApi();
// kept by VS Code with the panel, which brings it back after a window reload
const state = JSON.parse(document.getElementById('emkit-state')?.textContent ?? 'null') as { id?: string } | null;
vscode.setState(state);
const root = document.getElementById('emkit-root') as HTMLElement;
const strings = JSON.parse(document.getElementById('emkit-strings')?.textContent ?? '{}') as Record<string, string>;
const t: Translate = (text, ...args) => untranslated(strings[text] ?? text, ...args);
const act = (action: unknown) => vscode.postMessage(action);

useControls(document, {
  button: 'vscode-button',
  textField: 'vscode-textfield',
  textArea: 'vscode-textarea',
  select: 'vscode-single-select',
  option: 'vscode-option',
});

// the schedule words' language (cronstrue's, the dates'): the page is in VS Code's display language
const locale = document.documentElement.lang.startsWith('ko') ? 'ko' : 'en';
const kind = root.dataset.kind;
/** Whichever view the panel shows: the host's feed posts only that view's messages. */
const view: { handle(message: never): void } =
  kind === 'comparison'
    ? new ComparisonView(root, { t, act })
    : kind === 'endpoint'
      ? new EndpointView(root, { t, act })
      : kind === 'model'
        ? new ModelView(root, { name: state?.id ?? '', t, act })
        : kind === 'dataset'
          ? new DatasetView(root, { name: (state as { name?: string } | null)?.name ?? '', t, act })
          : kind === 'newModel'
            ? new NewModelView(root, { t, act })
            : kind === 'batch'
              ? new BatchView(root, { t, act })
              : kind === 'schedule'
                ? new ScheduleView(root, { t, act, locale })
                : kind === 'scheduleEditor'
                  ? new ScheduleEditor(root, { t, act })
                  : kind === 'tuning'
                    ? new TuningView(root, { t, act })
                    : kind === 'tuneForm'
                      ? new TuneForm(root, { t, act })
                      : new TrainingView(root, { t, act });

window.addEventListener('message', (event: MessageEvent) => {
  view.handle(event.data as never);
});
// ready: the host starts its feed only now, so no message is posted before anyone listens
vscode.postMessage({ action: 'ready' });
