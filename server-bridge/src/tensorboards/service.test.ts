import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scriptPython } from './service.js';

const dir = mkdtempSync(join(tmpdir(), 'emkit-script-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scriptPython', () => {
  it("finds the interpreter a console script runs with: its shebang, or pip's sh trampoline", () => {
    writeFileSync(join(dir, 'a'), '#!/opt/env/bin/python3.11\nimport sys\n');
    expect(scriptPython(join(dir, 'a'))).toBe('/opt/env/bin/python3.11');
    writeFileSync(join(dir, 'b'), `#!/bin/sh\n'''exec' "/a/very/long/path/bin/python" "$0" "$@"\n' '''\nimport sys\n`);
    expect(scriptPython(join(dir, 'b'))).toBe('/a/very/long/path/bin/python');
  });

  it('falls back to the python beside the script, else python3 on the PATH', () => {
    writeFileSync(join(dir, 'c'), 'not a script');
    expect(scriptPython(join(dir, 'c'))).toBe('python3');
    writeFileSync(join(dir, 'python'), '');
    expect(scriptPython(join(dir, 'c'))).toBe(join(dir, 'python'));
  });
});
