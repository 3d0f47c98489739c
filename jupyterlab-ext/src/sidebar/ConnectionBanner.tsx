import type { TranslationBundle } from '@jupyterlab/translation';
import type { ConnectionStatus } from '../connection/connection.js';
import type { LoadState } from '../resources.js';

interface Message {
  tone: 'info' | 'error';
  title: string;
  body?: string;
}

/** What the panel says about the bridge; every problem comes with what to do next. */
function message(status: ConnectionStatus, load: LoadState, trans: TranslationBundle): Message | null {
  switch (status.kind) {
    case 'starting':
      return { tone: 'info', title: trans.__('Looking for the emkit bridge…') };
    case 'connecting':
      return { tone: 'info', title: trans.__('Connecting to the emkit bridge at %1…', status.url) };
    case 'no-bridge':
      return {
        tone: 'error',
        title: trans.__('No emkit bridge is running'),
        body: trans.__(
          'Start one with `npm start` in the emkit folder, or `emkit serve`. This panel connects by itself as soon as it is up.',
        ),
      };
    case 'no-server-extension':
      return {
        tone: 'error',
        title: trans.__("JupyterLab can't look for the emkit bridge"),
        body: trans.__(
          'The emkit_jupyterlab server extension is not enabled. Enter the bridge URL and token in Settings → emkit, or run `jupyter server extension enable emkit_jupyterlab` and restart JupyterLab.',
        ),
      };
    case 'unreachable':
      return {
        tone: 'error',
        title: trans.__("The emkit bridge at %1 isn't reachable", status.url),
        body: trans.__(
          'Start it with `npm start` or `emkit serve`, or correct the bridge URL in Settings → emkit. This panel keeps trying and connects by itself.',
        ),
      };
    case 'origin-refused':
      return {
        tone: 'error',
        title: trans.__('The emkit bridge at %1 refuses this page', status.url),
        body: trans.__(
          'It is running but does not allow the origin %1. Restart it with `emkit serve --cors-origin %1` (`npm start` does this for you).',
          status.origin,
        ),
      };
    case 'token-refused':
      return {
        tone: 'error',
        title: trans.__('The emkit bridge at %1 refused the token', status.url),
        body: trans.__(
          "Clear the token in Settings → emkit to use the running bridge's, or enter the one from runtime.json in the bridge's home.",
        ),
      };
    case 'connected':
      if (load.kind === 'failed') {
        return { tone: 'error', title: trans.__("Could not load the bridge's resources"), body: load.message };
      }
      return null;
  }
}

export function ConnectionBanner({
  status,
  load,
  trans,
  onRetry,
  onSettings,
}: {
  status: ConnectionStatus;
  load: LoadState;
  trans: TranslationBundle;
  onRetry: () => void;
  onSettings: () => void;
}) {
  const shown = message(status, load, trans);
  if (!shown) {
    return (
      <p className="emkit-Connection emkit-Connection-ok" data-emkit-connection="connected">
        {status.kind === 'connected' ? trans.__('Connected to %1', status.url) : ''}
      </p>
    );
  }
  return (
    <div
      className={`emkit-Connection emkit-Connection-${shown.tone}`}
      data-emkit-connection={status.kind}
      role={shown.tone === 'error' ? 'alert' : 'status'}
    >
      <p className="emkit-Connection-title">{shown.title}</p>
      {shown.body && <p className="emkit-Connection-body">{shown.body}</p>}
      {shown.tone === 'error' && (
        <p className="emkit-Connection-actions">
          <button type="button" className="jp-Button jp-mod-styled jp-mod-reject" onClick={onRetry}>
            {trans.__('Try again')}
          </button>
          <button type="button" className="jp-Button jp-mod-styled jp-mod-reject" onClick={onSettings}>
            {trans.__('Settings')}
          </button>
        </p>
      )}
    </div>
  );
}
