import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeDir, startBridge, tempDir, waitFor } from '../support/bridge.js';

const logsOf = (home: string) => join(home, 'logs');
const bridgeLog = (home: string) => readFileSync(join(logsOf(home), 'bridge.log'), 'utf8');

describe("the bridge's own log", () => {
  it('never holds the token, however a request spells it', async () => {
    const bridge = await startBridge();
    try {
      const t = bridge.token;
      const tries = [
        `/api/v1/experiments?%74oken=${t}`,
        `/api/v1/experiments?TOKEN=${t}`,
        `/api/v1/experiments?%54%4F%4B%45%4E=${t}`,
        `/api/v1/experiments?other=${t}`,
        `/api/v1/experiments?other=${encodeURIComponent(t)}x`,
        `/api/v1/experiments/${t}`,
        `/api/v1/no-such-route/${t}`,
      ];
      for (const path of tries) await fetch(`${bridge.url}${path}`, { headers: { 'x-note': t } });
      await fetch(`${bridge.url}/api/v1/experiments/${t}`, { headers: { authorization: `Bearer ${bridge.token}` } });
      await waitFor(async () => bridgeLog(bridge.home).includes('no-such-route'), 10_000, 'the requests in the log');
      expect(bridge.output()).not.toContain(t);
      expect(bridgeLog(bridge.home)).not.toContain(t);
      expect(bridgeLog(bridge.home)).toContain('[redacted]');
    } finally {
      await bridge.stop();
      removeDir(bridge.home);
    }
  });

  it('is rotated by size, a few old ones kept', async () => {
    const home = tempDir();
    mkdirSync(logsOf(home), { recursive: true });
    // a log left over that is already over the cap is rotated at start
    writeFileSync(join(logsOf(home), 'bridge.log'), 'old line\n'.repeat(20_000));
    const bridge = await startBridge({ home, args: ['--log-max-mb', '0.05', '--log-keep', '2'] });
    try {
      expect(readFileSync(join(logsOf(home), 'bridge.log.1'), 'utf8')).toContain('old line');
      // debug logs a line per request: enough requests fill several files
      for (let i = 0; i < 600; i++)
        await fetch(`${bridge.url}/api/v1/experiments?i=${i}`, { headers: { authorization: `Bearer ${bridge.token}` } });
      await waitFor(async () => existsSync(join(logsOf(home), 'bridge.log.2')), 20_000, 'a second rotation');
      const files = readdirSync(logsOf(home)).filter((f) => f.startsWith('bridge.log'));
      expect(files.sort()).toEqual(['bridge.log', 'bridge.log.1', 'bridge.log.2']);
      for (const file of files) {
        expect(statSync(join(logsOf(home), file)).size).toBeLessThan(0.05 * 1024 * 1024 + 64 * 1024);
        expect(statSync(join(logsOf(home), file)).mode & 0o777).toBe(0o600);
      }
      // the live file still gets new lines after a rotation
      await fetch(`${bridge.url}/api/v1/experiments?last=1`, { headers: { authorization: `Bearer ${bridge.token}` } });
      await waitFor(async () => bridgeLog(home).includes('last=1'), 10_000, 'a line after the rotation');
    } finally {
      await bridge.stop();
      removeDir(home);
    }
  });
});
