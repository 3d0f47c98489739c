// What a user does in code-server's workbench, as Playwright steps: the command palette, the
// QuickInput steps of a command, the emkit trees and the text of emkit's webviews.
import { join } from 'node:path';
import type { Browser, Frame, Locator, Page } from 'playwright-core';
import { launchChromium } from '../../e2e/support/browser.js';
import { removeDir, repoRoot, startBridge, type TestBridge, tempDir } from '../../support/bridge.js';
import { buildExtension, startCodeServer, type TestCodeServer } from './code-server.js';

export interface Workbench {
  bridge: TestBridge;
  codeServer: TestCodeServer;
  browser: Browser;
  page: Page;
  /** the folder open in the workbench */
  work: string;
  close(): Promise<void>;
}

/**
 * What a user has open: a real bridge (started with `bridgeArgs`, e.g. a faster sampling),
 * code-server (in `locale` if given) with this checkout's emkit as the extension under
 * development, and Chromium showing the folder `work` (which `prepare` may fill first), once
 * emkit's activity bar entry is in.
 */
export async function openWorkbench(
  options: { locale?: string; prepare?: (work: string) => void; bridgeArgs?: string[] } = {},
): Promise<Workbench> {
  buildExtension();
  const work = tempDir('emkit-vscode-ui-');
  options.prepare?.(work);
  const bridge = await startBridge({ args: options.bridgeArgs ?? [] });
  const codeServer = await startCodeServer({ EMKIT_HOME: bridge.home }, { locale: options.locale });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
  await page.goto(codeServer.url(work, [['extensionDevelopmentPath', codeServer.remote(join(repoRoot, 'vscode-ext'))]]));
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  // the extension's contributions are in once its activity bar entry is
  await page.locator('.activitybar .action-item a[aria-label^="emkit"]').waitFor({ timeout: 60_000 });
  return {
    bridge,
    codeServer,
    browser,
    page,
    work,
    close: async () => {
      await browser.close();
      await codeServer.stop();
      await bridge.stop();
      removeDir(bridge.home);
      removeDir(work);
    },
  };
}

export const input = (page: Page) => page.locator('.quick-input-widget input.input');

/**
 * F1, the command's title, its row: as a user runs a command. The focus leaves whatever has it
 * first: in a webview F1 would not reach the workbench, and a view that keeps it (a tree its
 * last click was in, refreshed by events) may take it back from the command's quick pick.
 */
export async function palette(page: Page, title: string): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('F1');
  await input(page).waitFor();
  await input(page).fill(`>${title}`);
  // the row that says it, not whichever the palette ranks first
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().click();
  // the palette closes before the command's first step opens
  await page.waitForTimeout(500);
}

/**
 * Reloads the window as a user does, with VS Code's own command: it flushes the open editors to
 * storage first, which a bare page reload races (a panel opened within the last minute is lost).
 */
export async function reloadWindow(page: Page): Promise<void> {
  await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), palette(page, 'Developer: Reload Window')]);
}

/** The next QuickInput step: its value once it shows, then `value` typed over it (if given) and Enter. */
export async function answer(page: Page, value?: string): Promise<string> {
  await input(page).waitFor({ timeout: 10_000 });
  await page.waitForTimeout(300); // the step's value arrives a moment after the box
  const shown = await input(page).inputValue();
  if (value !== undefined) await input(page).fill(value);
  await page.keyboard.press('Enter');
  return shown;
}

/** The item labelled `label` (exactly) of the QuickPick that is open, typed and chosen. */
export async function pick(page: Page, label: string): Promise<void> {
  await input(page).waitFor({ timeout: 10_000 });
  await input(page).fill(label);
  const row = page.locator('.quick-input-list .monaco-list-row', {
    has: page.locator('.label-name', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }),
  });
  await row.first().click();
}

/** The text of the emkit webview showing `selector` (nested frames), a drawn chart marked [chart]. */
export async function webview(page: Page, selector: string): Promise<string> {
  for (const frame of page.frames() as Frame[]) {
    const text = await frame
      .evaluate((s) => {
        const view = document.querySelector(s);
        if (!view) return null;
        return view.textContent + (document.querySelector('.emkit-metric-chart canvas') ? '[chart]' : '');
      }, selector)
      .catch(() => null);
    if (text) return text;
  }
  return '';
}

/**
 * Clicks the inline action whose label starts with `label` on a tree row or a view's header. It
 * shows only while its host is hovered, and a view that events refresh can move the row from
 * under the mouse between the hover and the click: both are tried again until the click lands.
 */
export async function clickInlineAction(host: Locator, label: string, timeout = 30_000): Promise<void> {
  const action = host.locator(`.action-label[aria-label^="${label}"]`).first();
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      await host.hover({ timeout: 5_000 });
      await action.click({ timeout: 2_000 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

export const treeRows = (page: Page) => page.locator('[id="workbench.view.extension.emkit"] .monaco-list-row[role=treeitem]');

/** The computed background and text colour of the emkit webview showing `selector`. */
export async function webviewColors(page: Page, selector: string): Promise<{ background: string; text: string }> {
  for (const frame of page.frames() as Frame[]) {
    const colors = await frame
      .evaluate((s) => {
        const view = document.querySelector(s);
        if (!view) return null;
        const style = getComputedStyle(view);
        return { background: style.backgroundColor, text: style.color };
      }, selector)
      .catch(() => null);
    if (colors) return colors;
  }
  return { background: '', text: '' };
}
