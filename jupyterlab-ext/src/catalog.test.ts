import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VIEW_STRINGS } from '../../shared/src/views/strings.js';
import { EARLY_STOP_STRINGS } from '../../shared/src/workflows/early-stop.js';
import { PAIR_STRINGS } from '../../shared/src/workflows/pairs.js';
import { RUN_ON_STRINGS } from '../../shared/src/workflows/run-on.js';

// Every string the extension shows goes through trans.__ / trans._n; this keeps the
// Korean catalog JupyterLab serves (emkit_jupyterlab/locale/…) in step with the code.
const src = dirname(fileURLToPath(import.meta.url));
const catalogPath = join(src, '..', 'emkit_jupyterlab', 'locale', 'ko_KR', 'LC_MESSAGES', 'emkit_jupyterlab.json');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

interface Use {
  file: string;
  plural: boolean;
}

function messages(): Map<string, Use> {
  const found = new Map<string, Use>();
  // the shared views' words, which the extension translates through the same catalog
  for (const text of VIEW_STRINGS) found.set(text, { file: 'shared/src/views/strings.ts', plural: false });
  // and the shared key=value rule's messages, which the forms show through it
  for (const text of Object.values(PAIR_STRINGS)) found.set(text, { file: 'shared/src/workflows/pairs.ts', plural: false });
  // and the early-stopping rule's, likewise
  for (const text of Object.values(EARLY_STOP_STRINGS)) {
    found.set(text, { file: 'shared/src/workflows/early-stop.ts', plural: false });
  }
  // and the "Run on" choice's, which the training and stage forms show through it
  for (const text of Object.values(RUN_ON_STRINGS)) found.set(text, { file: 'shared/src/workflows/run-on.ts', plural: false });
  for (const file of sources(src)) {
    const text = readFileSync(file, 'utf8');
    for (const call of text.matchAll(/trans\.(__|_n)\(\s*(['"`])((?:(?!\2)[^\\]|\\.)*)\2/g)) {
      found.set(call[3] as string, { file: file.slice(src.length + 1), plural: call[1] === '_n' });
    }
  }
  return found;
}

const placeholders = (text: string) => [...new Set(text.match(/%\d|\{\d\}/g) ?? [])].sort();

describe('the Korean catalog', () => {
  const catalog = JSON.parse(readFileSync(catalogPath, 'utf8')) as Record<string, unknown>;
  const used = messages();

  it('is found by the code scan at all', () => {
    expect(used.size).toBeGreaterThan(50);
    expect(catalog['']).toMatchObject({ domain: 'emkit_jupyterlab', plural_forms: 'nplurals=1; plural=0;' });
  });

  it('translates every message the extension shows, keeping its %1 placeholders', () => {
    const missing = [...used.keys()].filter((id) => !(id in catalog));
    expect(missing, 'messages with no Korean entry').toEqual([]);
    for (const [id, use] of used) {
      const forms = catalog[id] as string[];
      // JupyterLab's Gettext takes a one-element entry for __ only, and a longer one for _n only
      expect(forms.length > 1, `${id}: ${use.plural ? 'plural forms' : 'one form'} expected`).toBe(use.plural);
      for (const korean of forms) {
        expect(korean, id).toBeTruthy();
        expect(placeholders(korean), id).toEqual(placeholders(id));
      }
    }
  });

  it('has no entries the code no longer uses', () => {
    const stale = Object.keys(catalog).filter((id) => id !== '' && !used.has(id));
    expect(stale).toEqual([]);
  });

  it('only ever passes literal strings to the translator (a template literal could not be looked up)', () => {
    for (const [id, use] of used) expect(id.includes('${'), `${use.file}: ${id}`).toBe(false);
  });
});
