import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VIEW_STRINGS } from '../../shared/src/views/strings.js';
import { EARLY_STOP_STRINGS } from '../../shared/src/workflows/early-stop.js';
import { PAIR_STRINGS } from '../../shared/src/workflows/pairs.js';
import { RUN_ON_STRINGS } from '../../shared/src/workflows/run-on.js';

const src = dirname(fileURLToPath(import.meta.url));
const root = join(src, '..');
const read = (path: string) => JSON.parse(readFileSync(join(root, path), 'utf8')) as Record<string, string>;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Every text the extension passes to vscode.l10n.t, plus the shared views' words it hands its webviews the shared key=value and early-stopping rules' messages and the "Run on" choice's. */
function messages(): Set<string> {
  const found = new Set<string>([
    ...VIEW_STRINGS,
    ...Object.values(PAIR_STRINGS),
    ...Object.values(EARLY_STOP_STRINGS),
    ...Object.values(RUN_ON_STRINGS),
  ]);
  for (const file of sources(src)) {
    for (const call of readFileSync(file, 'utf8').matchAll(/l10n\.t\(\s*(['"`])((?:(?!\1)[^\\]|\\.)*)\1/g)) {
      found.add((call[2] as string).replace(/\\(['"`])/g, '$1'));
    }
  }
  return found;
}

const placeholders = (text: string) => [...new Set(text.match(/\{\d\}/g) ?? [])].sort();

describe("the VS Code extension's Korean", () => {
  it('translates every message, keeping its {0} placeholders', () => {
    const bundle = read('l10n/bundle.l10n.ko.json');
    const used = messages();
    expect(used.size).toBeGreaterThan(60);
    expect([...used].filter((text) => !(text in bundle))).toEqual([]);
    for (const text of used) expect(placeholders(bundle[text] ?? ''), text).toEqual(placeholders(text));
  });

  it('names every contributed title in package.nls.ko.json', () => {
    const english = read('package.nls.json');
    const korean = read('package.nls.ko.json');
    expect(Object.keys(english).filter((key) => !korean[key])).toEqual([]);
    const manifest = readFileSync(join(root, 'package.json'), 'utf8');
    const keys = [...manifest.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1] as string);
    expect(keys.filter((key) => !(key in english))).toEqual([]);
  });
});
