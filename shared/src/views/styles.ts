import { FrameBatch } from './dom.js';
import { LOG_ROW_HEIGHT } from './log-view.js';

const STYLE_ID = 'emkit-views-style';

/**
 * The views' one stylesheet. Colours come from the host's theme variables — JupyterLab's
 * `--jp-*`, else VS Code's `--vscode-*` — so light, dark and high-contrast themes of either
 * editor apply without the views knowing which one they are in. The uPlot rules are the few
 * its DOM needs to lay out (positions of the canvas, cursor and selection). The control rules
 * are for plain HTML controls only: custom ones (VS Code's webviews) bring their own look.
 */
const CSS = `
.emkit-view {
  --emkit-fg: var(--jp-ui-font-color1, var(--vscode-foreground, #1f1f1f));
  --emkit-muted: var(--jp-ui-font-color2, var(--vscode-descriptionForeground, #616161));
  --emkit-bg: var(--jp-layout-color1, var(--vscode-editor-background, #fff));
  --emkit-bg-alt: var(--jp-layout-color2, var(--vscode-sideBar-background, #f3f3f3));
  --emkit-border: var(--jp-border-color2, var(--vscode-panel-border, var(--vscode-contrastBorder, #d4d4d4)));
  --emkit-accent: var(--jp-brand-color1, var(--vscode-charts-blue, var(--vscode-focusBorder, #1976d2)));
  --emkit-ok: var(--jp-success-color1, var(--vscode-testing-iconPassed, #388e3c));
  --emkit-busy: var(--jp-warn-color1, var(--vscode-charts-yellow, #f57c00));
  --emkit-failed: var(--jp-error-color1, var(--vscode-errorForeground, #d32f2f));
  --emkit-mark: var(--jp-search-unselected-match-background-color, var(--vscode-editor-findMatchHighlightBackground, #fff59d));
  --emkit-mark-current: var(--jp-search-selected-match-background-color, var(--vscode-editor-findMatchBackground, #ffb74d));
  --emkit-mono: var(--jp-code-font-family, var(--vscode-editor-font-family, monospace));
  --emkit-font: var(--jp-ui-font-family, var(--vscode-font-family, sans-serif));
  --emkit-font-size: var(--jp-ui-font-size1, var(--vscode-font-size, 13px));
  color: var(--emkit-fg);
  background: var(--emkit-bg);
  font-family: var(--emkit-font);
  font-size: var(--emkit-font-size);
  box-sizing: border-box;
  padding: 8px 12px;
  height: 100%;
  overflow: auto;
}
.emkit-view *, .emkit-view *::before, .emkit-view *::after { box-sizing: inherit; }
/* the views hide with the hidden attribute: a display rule (a flex toolbar, a custom control's host) must not show it */
.emkit-view [hidden] { display: none !important; }
.emkit-view h2 { font-size: 1.25em; margin: 4px 0 8px; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.emkit-view h3 { font-size: 1em; margin: 16px 0 6px; color: var(--emkit-muted); text-transform: uppercase; letter-spacing: .04em; }
.emkit-muted { color: var(--emkit-muted); }
.emkit-toolbar { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; margin: 4px 0; }
.emkit-spacer { flex: 1; }
button.emkit-button {
  font: inherit; color: var(--jp-ui-inverse-font-color1, var(--vscode-button-foreground, #fff));
  background: var(--jp-brand-color1, var(--vscode-button-background, #1976d2));
  border: 1px solid var(--vscode-button-border, transparent); border-radius: 2px; padding: 3px 10px; cursor: pointer;
}
button.emkit-button:hover:not(:disabled) { filter: brightness(1.1); }
button.emkit-button:disabled { opacity: .45; cursor: default; }
button.emkit-button:focus-visible, input.emkit-input:focus-visible, textarea.emkit-input:focus-visible { outline: 1px solid var(--emkit-accent); outline-offset: 1px; }
input.emkit-input, .emkit-view select, .emkit-view textarea {
  font: inherit; color: var(--jp-ui-font-color1, var(--vscode-input-foreground, inherit));
  background: var(--jp-input-background, var(--vscode-input-background, var(--emkit-bg)));
  border: 1px solid var(--jp-border-color1, var(--vscode-input-border, var(--emkit-border))); border-radius: 2px; padding: 3px 6px;
}
.emkit-default { margin-left: 6px; }
.emkit-badge { display: inline-block; border-radius: 9px; padding: 0 8px; font-size: .85em; border: 1px solid currentColor; }
.emkit-tone-ok { color: var(--emkit-ok); }
.emkit-tone-busy { color: var(--emkit-busy); }
.emkit-tone-failed { color: var(--emkit-failed); }
.emkit-tone-stopped { color: var(--emkit-muted); }
.emkit-reason { color: var(--emkit-failed); white-space: pre-wrap; margin: 4px 0; }
.emkit-facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
.emkit-facts dt { color: var(--emkit-muted); }
.emkit-facts dd { margin: 0; font-family: var(--emkit-mono); word-break: break-all; }
.emkit-table { border-collapse: collapse; width: 100%; }
.emkit-table th, .emkit-table td { text-align: left; padding: 3px 8px; border-bottom: 1px solid var(--emkit-border); vertical-align: top; }
.emkit-table th { color: var(--emkit-muted); font-weight: normal; }
.emkit-files li { cursor: pointer; color: var(--jp-content-link-color, var(--vscode-textLink-foreground, var(--emkit-accent))); }
.emkit-files li:hover { text-decoration: underline; }
.emkit-files { font-family: var(--emkit-mono); padding-left: 18px; margin: 4px 0; }
.emkit-log { display: flex; flex-direction: column; border: 1px solid var(--emkit-border); }
.emkit-log .emkit-toolbar { padding: 4px 6px; margin: 0; background: var(--emkit-bg-alt); border-bottom: 1px solid var(--emkit-border); }
.emkit-log-viewport { height: 360px; overflow: auto; position: relative; font-family: var(--emkit-mono); font-size: 12px; }
.emkit-log-spacer { position: relative; min-width: 100%; width: max-content; }
.emkit-log-rows { position: absolute; top: 0; left: 0; right: 0; will-change: transform; }
.emkit-log-line { height: ${LOG_ROW_HEIGHT}px; line-height: ${LOG_ROW_HEIGHT}px; white-space: pre; padding: 0 8px; }
.emkit-log-line mark { background: var(--emkit-mark); color: inherit; }
.emkit-log-line.emkit-current mark { background: var(--emkit-mark-current); }
.emkit-metrics { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 8px; }
.emkit-metric-chart .uplot { overflow: hidden; }
.emkit-metrics > p { grid-column: 1 / -1; }
.emkit-metric-chart { margin: 0; border: 1px solid var(--emkit-border); padding: 4px; min-width: 0; }
.emkit-metric-chart figcaption { display: flex; justify-content: space-between; gap: 8px; font-size: .9em; }
.emkit-metric-tag { font-weight: 600; overflow: hidden; text-overflow: ellipsis; }
.emkit-metric-last { color: var(--emkit-muted); font-family: var(--emkit-mono); }
.emkit-metric-series { white-space: nowrap; }
.emkit-swatch { display: inline-block; width: 10px; height: 3px; margin: 0 4px 3px 0; vertical-align: middle; }
.emkit-swatch-0 { background: var(--emkit-accent); }
.emkit-swatch-1 { background: var(--emkit-busy); }
.emkit-metric-flag { margin: 2px 0; color: var(--emkit-failed); font-size: .9em; }
.emkit-metric-chart.emkit-flagged { border-color: var(--emkit-failed); }
.emkit-quality { margin: 4px 0; padding: 0; list-style: none; }
.emkit-quality li { margin: 2px 0; padding: 2px 6px; border-left: 3px solid var(--emkit-failed); }
.emkit-quality li.emkit-quality-info { border-left-color: var(--emkit-accent); }
/* a custom textarea (vscode-textarea) takes its font from this variable */
.emkit-tryit .emkit-input { width: 100%; --vscode-font-family: var(--emkit-mono); }
.emkit-tryit textarea { min-height: 90px; font-family: var(--emkit-mono); font-size: 12px; }
.emkit-prediction { font-family: var(--emkit-mono); white-space: pre-wrap; background: var(--emkit-bg-alt); padding: 6px 8px; margin: 4px 0; max-height: 240px; overflow: auto; }
.emkit-prediction.emkit-tone-failed { color: var(--emkit-failed); }
.emkit-dots { letter-spacing: 2px; }
.emkit-num { text-align: right; font-variant-numeric: tabular-nums; }
.emkit-table td.emkit-num, .emkit-table th.emkit-num { text-align: right; }
.emkit-iteration { cursor: pointer; }
.emkit-iteration:hover { background: var(--emkit-bg-alt); }
.emkit-iteration[aria-selected="true"] { background: var(--emkit-bg-alt); box-shadow: inset 3px 0 0 var(--emkit-accent); }
.emkit-best { font-weight: 700; color: var(--emkit-ok); }
.emkit-view h3.emkit-version-title { margin: 0; text-transform: none; letter-spacing: 0; color: var(--emkit-fg); font-size: 1.1em; }
.emkit-evaluation-title { font-weight: 600; }
.emkit-headline { display: flex; flex-wrap: wrap; gap: 8px 24px; margin: 8px 0; }
.emkit-figure { display: flex; flex-direction: column; }
.emkit-figure-value { font-size: 1.6em; font-variant-numeric: tabular-nums; }
.emkit-threshold-slider { width: min(320px, 60%); accent-color: var(--emkit-accent); }
.emkit-threshold-value { font-family: var(--emkit-mono); min-width: 3em; }
.emkit-evaluation-charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 8px; margin-top: 8px; }
.emkit-confusion { overflow: auto; }
.emkit-confusion-table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
.emkit-confusion-table th { font-weight: normal; color: var(--emkit-muted); padding: 2px 6px; text-align: center; }
.emkit-cell { min-width: 44px; height: 32px; text-align: center; border: 1px solid var(--emkit-bg); padding: 2px 6px; }
.emkit-cell-right { background: color-mix(in srgb, var(--emkit-accent) var(--emkit-heat, 0%), transparent); }
.emkit-cell-wrong { background: color-mix(in srgb, var(--emkit-failed) var(--emkit-heat, 0%), transparent); }
.emkit-cell-strong { color: #fff; }
.emkit-pr-legend { display: flex; flex-wrap: wrap; gap: 4px 12px; font-size: .9em; }
.emkit-pr-key { display: inline-flex; align-items: center; gap: 4px; }
.emkit-pr-swatch { display: inline-block; width: 14px; height: 3px; }
.emkit-bars { display: grid; grid-template-columns: max-content 1fr max-content; gap: 2px 8px; align-items: center; max-width: 640px; }
.emkit-bar { display: contents; }
.emkit-bar-label, .emkit-bar-value { font-family: var(--emkit-mono); font-size: 12px; }
.emkit-bar-value { text-align: right; }
.emkit-bar-track { height: 12px; background: var(--emkit-bg-alt); }
.emkit-bar-fill { display: block; height: 100%; background: var(--emkit-accent); }
.emkit-instance { font-family: var(--emkit-mono); font-size: 12px; max-width: 420px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
/* a small image is shown larger, its pixels kept sharp */
.emkit-quicktest-preview { display: block; min-width: 96px; min-height: 96px; max-width: 240px; max-height: 180px; object-fit: contain; image-rendering: pixelated; margin: 4px 0; border: 1px solid var(--emkit-border); }
.emkit-score { display: inline-flex; gap: 4px; margin-right: 12px; }
.emkit-score-value { font-family: var(--emkit-mono); color: var(--emkit-muted); }
.uplot { position: relative; font-family: var(--emkit-font); }
.uplot .u-wrap { position: relative; user-select: none; }
.uplot .u-over, .uplot .u-under { position: absolute; }
.uplot canvas { display: block; position: relative; width: 100%; height: 100%; }
.uplot .u-axis { position: absolute; }
.uplot .u-select { position: absolute; pointer-events: none; background: var(--emkit-accent); opacity: .15; }
.uplot .u-cursor-x, .uplot .u-cursor-y { position: absolute; left: 0; top: 0; pointer-events: none; will-change: transform; }
.uplot .u-cursor-x { height: 100%; border-right: 1px dashed var(--emkit-muted); }
.uplot .u-cursor-y { width: 100%; border-bottom: 1px dashed var(--emkit-muted); }
.uplot .u-cursor-pt { position: absolute; top: 0; left: 0; border-radius: 50%; border: 0 solid; pointer-events: none; background-clip: padding-box !important; }
.uplot .u-off { opacity: .4; }
.uplot .u-legend { font-size: .85em; text-align: center; margin: 2px auto 0; }
.uplot .u-legend tr { display: inline-flex; align-items: center; margin: 0 8px; cursor: pointer; }
.uplot .u-legend th { font-weight: normal; display: flex; align-items: center; gap: 4px; }
.uplot .u-legend .u-marker { display: inline-block; width: 14px; height: 3px; }
.uplot .u-legend .u-value { display: none; }
.emkit-dataset-table-wrap { overflow-x: auto; }
.emkit-dataset-classes { display: flex; flex-direction: column; gap: 10px; }
.emkit-dataset-class h4 { margin: 0 0 4px; font-size: 1em; display: flex; gap: 8px; align-items: baseline; }
.emkit-dataset-samples { display: flex; flex-wrap: wrap; gap: 6px; }
.emkit-dataset-sample { border: 1px solid var(--emkit-border); border-radius: 3px; padding: 4px; max-width: 220px; font-size: .9em; }
.emkit-dataset-sample img { display: block; width: 64px; height: 64px; object-fit: contain; image-rendering: pixelated; }
.emkit-dataset-sample .emkit-snippet { white-space: pre-wrap; overflow-wrap: anywhere; max-height: 5.5em; overflow: hidden; }
.emkit-nocode-cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 8px; }
.emkit-nocode-card {
  display: flex; flex-direction: column; gap: 4px; text-align: left; padding: 10px; cursor: pointer;
  border: 1px solid var(--emkit-border); border-radius: 4px; background: var(--emkit-bg-alt); color: var(--emkit-fg); font: inherit;
}
.emkit-nocode-card:hover, .emkit-nocode-card:focus-visible { border-color: var(--emkit-accent); }
.emkit-nocode-card.emkit-selected { border: 2px solid var(--emkit-accent); padding: 9px; }
.emkit-nocode-preview .emkit-view { padding: 0; height: auto; overflow: visible; }
.emkit-nocode-preview .emkit-view h2 { display: none; }
.emkit-nocode-fields { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 8px 16px; margin-bottom: 8px; }
.emkit-nocode-field { display: flex; flex-direction: column; gap: 2px; }
.emkit-nocode-features { display: flex; flex-wrap: wrap; gap: 4px 12px; }
.emkit-nocode-feature { display: inline-flex; gap: 4px; align-items: center; }
.emkit-progress { height: 8px; border-radius: 4px; background: var(--emkit-bg-alt); border: 1px solid var(--emkit-border); overflow: hidden; margin: 8px 0 4px; max-width: 640px; }
.emkit-progress-fill { height: 100%; width: 0; background: currentColor; }
.emkit-batch-progress-text { font-family: var(--emkit-mono); margin: 0 0 8px; }
.emkit-schedule-form section { max-width: 720px; }
.emkit-field { display: flex; flex-direction: column; gap: 2px; margin: 6px 0; max-width: 520px; }
.emkit-field-hint { font-size: .85em; }
.emkit-check { display: flex; gap: 6px; align-items: center; margin: 10px 0 4px; }
.emkit-schedule-words { font-weight: bold; margin: 6px 0; }
.emkit-schedule-next, .emkit-schedule-steps { margin: 4px 0; padding-left: 22px; }
.emkit-run-steps { margin: 0; padding-left: 18px; }
.emkit-run-steps li { display: flex; flex-wrap: wrap; gap: 6px; align-items: baseline; }
.emkit-link { color: var(--emkit-accent); cursor: pointer; }
.emkit-invalid, .emkit-nocode-field.emkit-invalid input, .emkit-nocode-field.emkit-invalid select { outline: 1px solid var(--emkit-failed); }
.emkit-scroll-x { overflow-x: auto; }
.emkit-resource-charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 8px; }
.emkit-resource-chart { margin: 0; border: 1px solid var(--emkit-border); padding: 4px; min-width: 0; }
.emkit-resource-chart .uplot { overflow: hidden; }
.emkit-resource-chart figcaption { display: flex; justify-content: space-between; gap: 8px; font-size: .9em; }
.emkit-resource-table { margin-top: 6px; }
.emkit-drift-table td.emkit-drift-cell { background: color-mix(in srgb, var(--emkit-busy) calc(var(--emkit-drift, 0) * 60%), transparent); }
.emkit-drift-table td.emkit-drift-cell-drifted { background: color-mix(in srgb, var(--emkit-failed) calc(30% + var(--emkit-drift, 0) * 40%), transparent); font-weight: bold; }
.emkit-table.emkit-drift-table { width: auto; min-width: 320px; }
.emkit-drift-table th.emkit-num { min-width: 72px; }
.emkit-drift-feature { display: flex; gap: 6px; align-items: center; white-space: nowrap; }
.emkit-drift-summary, .emkit-quality-summary { margin: 4px 0; }
.emkit-drift-summary:not([data-drifted="0"]), .emkit-quality-summary:not([data-worse="0"]) { color: var(--emkit-failed); }
.emkit-quality-table td.emkit-below-baseline { color: var(--emkit-failed); font-weight: bold; }
.emkit-payload-logging { font-size: .85em; color: var(--emkit-accent); }
.emkit-stage-settings { border: 1px solid var(--emkit-border); padding: 4px 10px 8px; margin: 8px 0; max-width: 720px; }
.emkit-view .emkit-stage-settings h3 { text-transform: none; letter-spacing: 0; color: var(--emkit-fg); }
.emkit-form { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 6px 16px; }
.emkit-form-row { display: flex; flex-direction: column; gap: 2px; }
.emkit-form [aria-invalid="true"] { outline: 1px solid var(--emkit-failed); }
.emkit-sortable { cursor: pointer; user-select: none; }
.emkit-trial-best td { font-weight: bold; }
.emkit-trial-pruned td, .emkit-trial-failed td, .emkit-trial-stopped td { color: var(--emkit-muted); }
.emkit-best-params { font-family: var(--emkit-mono); }
.emkit-parallel { overflow-x: auto; }
.emkit-parallel-plot { font-size: 11px; }
.emkit-parallel-plot text { fill: var(--emkit-fg); }
.emkit-parallel-plot .emkit-parallel-tick { fill: var(--emkit-muted); }
.emkit-parallel-axis line { stroke: var(--emkit-border); stroke-width: 1; }
.emkit-parallel-line { fill: none; stroke: var(--emkit-muted); stroke-width: 1.2; }
.emkit-parallel-best { stroke: var(--emkit-accent); stroke-width: 2.5; stroke-opacity: 1; }
.emkit-space-rows { border-collapse: collapse; margin: 4px 0; }
.emkit-space-rows td, .emkit-space-rows th { padding: 2px 6px 2px 0; text-align: left; }
.emkit-space-rows input:not([type="checkbox"]) { width: 8em; }
.emkit-tune-error { color: var(--emkit-failed); }
.emkit-cell-off > * { visibility: hidden; }
`;

/** Adds the stylesheet to a document once. */
export function ensureStyles(doc: Document): void {
  if (doc.getElementById(STYLE_ID)) return;
  const style = doc.createElement('style');
  style.id = STYLE_ID;
  style.textContent = CSS;
  doc.head.appendChild(style);
}

/** Canvas can't read CSS variables: the theme's colours, resolved where the chart sits. */
export function themeColors(element: Element): {
  foreground: string;
  grid: string;
  accent: string;
  failed: string;
  busy: string;
  ok: string;
} {
  const style = element.ownerDocument.defaultView?.getComputedStyle(element);
  const read = (name: string, fallback: string) => style?.getPropertyValue(name).trim() || fallback;
  return {
    foreground: read('--emkit-muted', '#616161'),
    grid: read('--emkit-border', '#d4d4d4'),
    accent: read('--emkit-accent', '#1976d2'),
    failed: read('--emkit-failed', '#d32f2f'),
    busy: read('--emkit-busy', '#f57c00'),
    ok: read('--emkit-ok', '#388e3c'),
  };
}

/**
 * Calls back when the host switches theme: JupyterLab sets data attributes on <body>, VS Code
 * a class on <body> and its colour variables on <html>. Canvas charts read colours once, so
 * they redraw on this.
 */
export function onThemeChange(doc: Document, callback: () => void): () => void {
  const View = doc.defaultView as (Window & typeof globalThis) | null;
  if (!View?.MutationObserver) return () => undefined;
  // the new variables apply once the attributes have all changed: read them a frame later
  const frame = new FrameBatch(doc, callback);
  const observer = new View.MutationObserver(() => frame.schedule());
  const attributeFilter = ['class', 'style', 'data-jp-theme-light', 'data-jp-theme-name'];
  observer.observe(doc.documentElement, { attributes: true, attributeFilter });
  if (doc.body) observer.observe(doc.body, { attributes: true, attributeFilter });
  return () => observer.disconnect();
}
