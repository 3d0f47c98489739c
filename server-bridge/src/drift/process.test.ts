import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpError } from '../server/errors.js';
import { DriftProcess } from './process.js';

// The bridge's end of `python -m emkit.drift serve`, against the real module in the repository's
// Python: answers matched to requests, one process for many requests, a new one after it ends.

const repo = resolve(import.meta.dirname, '..', '..', '..');
const python = join(repo, '.venv', 'bin', 'python');
const emkitImportPath = join(repo, 'server-bridge', 'python', 'src');
const skip = existsSync(python) ? '' : ' (SKIPPED: no .venv/bin/python)';

let home: string;
let drift: DriftProcess;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'emkit-drift-process-'));
  drift = new DriftProcess({ python, emkitImportPath, cwd: home });
});
afterEach(async () => {
  await drift.stop();
  rmSync(home, { recursive: true, force: true });
});

function table(name: string, header: string): string {
  const path = join(home, name);
  writeFileSync(path, `${header}\n1,2,3\n`);
  return path;
}

const check = (path: string, inputs: string[]) => drift.run<{ columns: string[] }>('check', { reference: { path }, inputs });

describe.skipIf(skip !== '')(`the long-lived drift process${skip}`, () => {
  it('answers each request, refusals as HttpErrors, from one process', async () => {
    const good = table('good.csv', 'age,income,city');
    const answers = await Promise.all([check(good, ['age']), check(good, ['city']), check(good, ['income'])]);
    expect(answers.map((a) => a.columns)).toEqual(Array(3).fill(['age', 'income', 'city']));
    const refused = await check(good, ['age', 'zip']).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HttpError);
    expect(refused).toMatchObject({ status: 422, field: 'drift.reference' });
    expect((refused as HttpError).message).toContain('zip');
    expect(drift.starts).toBe(1);
  });

  it("puts the timer's background windows behind what someone waits on", async () => {
    const good = table('good.csv', 'age,income');
    const order: string[] = [];
    const ask = (name: string, background: boolean) =>
      drift.run('check', { reference: { path: good }, inputs: ['age'] }, background).then(() => order.push(name));
    // the first is sent at once; of those waiting, the foreground one goes first
    await Promise.all([ask('first', true), ask('later background', true), ask('foreground', false)]);
    expect(order).toEqual(['first', 'foreground', 'later background']);
  });

  it('is started again after it ends (a request that meets the dead one fails with a 500)', async () => {
    const good = table('good.csv', 'age,income');
    await check(good, ['age']);
    const first = drift.pid as number;
    process.kill(first, 'SIGKILL');
    // whichever request meets the dead process fails with a 500 saying so; the one after is answered
    let answered = await check(good, ['age']).catch((error: unknown) => error);
    if (answered instanceof HttpError) {
      expect(answered.status).toBe(500);
      expect(answered.message).toContain('drift computation failed');
      answered = await check(good, ['age']);
    }
    expect(answered).toMatchObject({ ok: true, columns: ['age', 'income'] });
    expect(drift.pid).not.toBe(first);
    expect(drift.starts).toBe(2);
  });

  it('answers 503 when its Python cannot be started, and refuses work once stopped', async () => {
    const missing = new DriftProcess({ python: join(home, 'no-python'), emkitImportPath, cwd: home });
    await expect(missing.run('check', {})).rejects.toMatchObject({ status: 503 });
    await missing.stop();
    await drift.stop();
    await expect(check(table('t.csv', 'a'), ['a'])).rejects.toMatchObject({ status: 503 });
  });
});
