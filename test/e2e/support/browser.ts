import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { repoRoot } from '../../support/bridge.js';

/** Debian's Chromium (`apt-get install chromium`); never a browser a test tool downloads. */
export const chromiumPath = '/usr/bin/chromium';
export const hasChromium = existsSync(chromiumPath);

/** Why an end-to-end suite can't run here ('' when it can): no Chromium, or the .venv lacks what it needs. */
export function e2eSkipReason(venvHasWhatItNeeds: boolean): string {
  if (!hasChromium) return ' (SKIPPED: /usr/bin/chromium is not installed: apt-get install chromium)';
  if (!venvHasWhatItNeeds) return ' (SKIPPED: scikit-learn is not installed in .venv: npm run setup)';
  return '';
}

/**
 * Headless, with a fresh profile (Playwright makes one per launch), and quiet on a closed
 * network: no background requests that would only be refused.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Screenshots of each step a user would look at, numbered, kept under test-artifacts/. */
export function screenshots(name: string): (page: Page, step: string) => Promise<void> {
  const dir = join(repoRoot, 'test-artifacts', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let n = 0;
  return async (page, step) => {
    n += 1;
    await page.screenshot({ path: join(dir, `${String(n).padStart(2, '0')}-${step}.png`) });
  };
}

/** The screenshot step a failed test leaves, named after the test. */
export function failedStep(testName: string): string {
  return `FAILED-${testName.slice(0, 40).replace(/\W+/g, '-')}`;
}
