import { randomBytes } from 'node:crypto';
import { VIEW_STRINGS } from '@emkit/shared';
import * as vscode from 'vscode';
import type { PanelState } from './panel-state.js';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** JSON inside a <script> element: "</" can't end the element early. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/** The views' words in VS Code's display language, handed to the page (it has no l10n of its own). */
function viewStrings(): Record<string, string> {
  return Object.fromEntries(VIEW_STRINGS.map((text) => [text, vscode.l10n.t(text)]));
}

/**
 * A detail view's page: nothing runs but our one script (its nonce), nothing loads from
 * anywhere but the extension's dist/, no network: the host's feed brings everything over
 * postMessage. Inline styles are allowed: the views inject their stylesheet and uPlot sizes
 * its canvas with style attributes.
 */
export function detailHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  state: Exclude<PanelState, { kind: 'tensorboard' }>,
): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js'));
  return `<!doctype html>
<html lang="${escapeHtml(vscode.env.language)}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${webview.cspSource} data:; style-src ${webview.cspSource} 'unsafe-inline'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(state.name)}</title>
</head>
<body>
<div id="emkit-root" data-kind="${state.kind}"></div>
<script type="application/json" id="emkit-strings">${scriptJson(viewStrings())}</script>
<script type="application/json" id="emkit-state">${scriptJson(state)}</script>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

/**
 * TensorBoard's page inside VS Code: one frame on the bridge's proxy, allowed by origin alone,
 * and one line of script that keeps the panel's state for a reload.
 */
export function tensorboardHtml(frameUrl: vscode.Uri, title: string, state: PanelState, frameId = 'emkit-tensorboard'): string {
  const origin = `${frameUrl.scheme}://${frameUrl.authority}`;
  const nonce = randomBytes(16).toString('base64');
  return `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; frame-src ${origin}; style-src 'unsafe-inline'; script-src 'nonce-${nonce}';">
<title>${escapeHtml(title)}</title>
<style>html, body, iframe { margin: 0; padding: 0; width: 100%; height: 100%; border: 0; overflow: hidden; background: var(--vscode-editor-background); }</style>
</head>
<body><iframe id="${frameId}" src="${escapeHtml(frameUrl.toString(true))}" title="${escapeHtml(title)}"></iframe>
<script nonce="${nonce}">acquireVsCodeApi().setState(${scriptJson(state)});</script></body>
</html>`;
}
