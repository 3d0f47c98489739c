import { readFileSync } from 'node:fs';
import * as shared from '@emkit/shared';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script, without type declarations
import { bridgeMachines, PYTHON_STATES_FILE, renderPythonStates } from '../../scripts/python-states.mjs';

describe("the Python client's states", () => {
  it('are generated from the state machines in shared/src/states.ts (else: node scripts/python-states.mjs)', () => {
    expect(readFileSync(PYTHON_STATES_FILE, 'utf8')).toBe(renderPythonStates(bridgeMachines(shared)));
  });
});
