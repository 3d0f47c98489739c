import { chmodSync, chownSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeDir, startBridge, tempDir } from '../support/bridge.js';

const TOKEN = 'home-permissions-test-token-0123456789ab';
const asRoot = process.getuid?.() === 0;

describe('the home and its secrets at rest', () => {
  it('a home and token file others could read are made private, with a warning, before the token is used', async () => {
    const home = tempDir();
    chmodSync(home, 0o755);
    writeFileSync(join(home, 'token'), `${TOKEN}\n`, { mode: 0o644 });
    chmodSync(join(home, 'token'), 0o644);
    mkdirSync(join(home, 'logs'), { mode: 0o755 });
    writeFileSync(join(home, 'logs', 'bridge.log'), '', { mode: 0o644 });
    chmodSync(join(home, 'logs', 'bridge.log'), 0o644);
    const bridge = await startBridge({ home });
    try {
      expect(bridge.token).toBe(TOKEN);
      expect(statSync(home).mode & 0o777).toBe(0o700);
      expect(statSync(join(home, 'token')).mode & 0o777).toBe(0o600);
      expect(statSync(join(home, 'runtime.json')).mode & 0o777).toBe(0o600);
      expect(statSync(join(home, 'logs', 'bridge.log')).mode & 0o777).toBe(0o600);
      expect(bridge.output()).toMatch(/token.*(readable|permissions).*0600/i);
      expect(bridge.output()).toMatch(/home.*0700/i);
    } finally {
      await bridge.stop();
      removeDir(home);
    }
  });

  it.skipIf(!asRoot)(
    'a token file that belongs to another user is refused with a clear error (SKIPPED unless root)',
    async () => {
      const home = tempDir();
      writeFileSync(join(home, 'token'), `${TOKEN}\n`, { mode: 0o600 });
      chownSync(join(home, 'token'), 65534, 65534);
      try {
        const error = await startBridge({ home }).catch((e: Error) => e);
        // a bridge that started anyway (the bug) is stopped, not left running
        if (!(error instanceof Error)) await error.stop();
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).message).toMatch(/belongs to (another user|uid 65534)/);
        // nothing was trusted: the foreign file is as it was
        expect(readFileSync(join(home, 'token'), 'utf8').trim()).toBe(TOKEN);
      } finally {
        removeDir(home);
      }
    },
  );
});
