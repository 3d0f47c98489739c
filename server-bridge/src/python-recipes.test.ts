import { readFileSync } from 'node:fs';
import * as shared from '@emkit/shared';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script, without type declarations
import { PYTHON_RECIPES_FILE, renderPythonRecipes } from '../../scripts/python-recipes.mjs';

describe("the Python recipes' catalog", () => {
  it('is generated from the built-ins in shared/src/recipes/builtins.ts (else: node scripts/python-recipes.mjs)', () => {
    expect(readFileSync(PYTHON_RECIPES_FILE, 'utf8')).toBe(renderPythonRecipes(shared.BUILTIN_RECIPES));
  });
});
