#!/usr/bin/env node
// Log view benchmark (`npm run bench:log-view`). A measurement, not a test: it prints figures
// measured side by side in one run and never fails on them.
//
// The training view's log (shared/src/views/log-view.ts) against the obvious alternative, a
// <pre> that holds every line, in headless Chromium (Debian's /usr/bin/chromium), both
// 1,000 px tall, with 100,000 lines of a training's kind of log:
//   (a) live tail: the lines arrive in 1,000 chunks of 100; after each the page lays out
//       and shows the bottom, as a followed log does — total time and the slowest chunk
//   (b) the whole log at once (opening the view of a finished training)
//   (c) scrolling: 200 jumps through the log, each drawn (two animation frames) — time per jump
//   (d) lines laid out in the DOM afterwards
// The view's code is bundled from source with esbuild at the start.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const LINES = 100_000;
const CHUNKS = 1_000;
const JUMPS = 200;
const chromiumPath = '/usr/bin/chromium';
if (!existsSync(chromiumPath)) {
  console.error('needs /usr/bin/chromium (apt-get install chromium)');
  process.exit(1);
}

const bundle = await build({
  entryPoints: [join(root, 'shared', 'src', 'views', 'index.ts')],
  bundle: true,
  format: 'iife',
  globalName: 'emkitViews',
  write: false,
  minify: true,
  logLevel: 'silent',
});

const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
await page.setContent('<!doctype html><html><head></head><body style="margin:0"></body></html>');
await page.addScriptTag({ content: bundle.outputFiles[0].text });

/** Runs one case in a fresh host element; everything measured inside the page. */
function measure(kind) {
  return page.evaluate(
    async ({ kind, LINES, CHUNKS, JUMPS }) => {
      const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
      document.body.replaceChildren();
      const host = document.createElement('div');
      document.body.appendChild(host);
      const lines = Array.from(
        { length: LINES },
        (_, i) =>
          `2026-11-22 10:${String(Math.floor(i / 6000) % 60).padStart(2, '0')} step ${i} loss=${(1 / (i + 1)).toFixed(6)} lr=0.001`,
      );
      const perChunk = LINES / CHUNKS;
      const chunks = Array.from({ length: CHUNKS }, (_, c) => `${lines.slice(c * perChunk, (c + 1) * perChunk).join('\n')}\n`);
      let append;
      let scroller;
      let reset;
      if (kind === 'LogView') {
        const { LogView, ensureStyles, untranslated } = window.emkitViews;
        ensureStyles(document);
        const view = new LogView(host, untranslated);
        const viewport = host.querySelector('.emkit-log-viewport');
        viewport.style.height = '1000px';
        append = (text) => {
          view.append(text);
          view.flush();
        };
        scroller = viewport;
        reset = () => view.clear();
      } else {
        const pre = document.createElement('pre');
        pre.style.cssText = 'height:1000px;overflow:auto;margin:0;font:12px monospace;line-height:18px';
        host.appendChild(pre);
        append = (text) => {
          pre.appendChild(document.createTextNode(text));
          pre.scrollTop = pre.scrollHeight;
        };
        scroller = pre;
        reset = () => pre.replaceChildren();
      }
      // (a) live tail
      let slowest = 0;
      const tailStart = performance.now();
      for (const chunk of chunks) {
        const t = performance.now();
        append(chunk);
        void scroller.scrollHeight; // lay out now, as the next frame would
        slowest = Math.max(slowest, performance.now() - t);
      }
      const tail = performance.now() - tailStart;
      await frame();
      // (b) all at once
      reset();
      await frame();
      const allStart = performance.now();
      append(chunks.join(''));
      void scroller.scrollHeight;
      await frame();
      const whole = performance.now() - allStart;
      // (c) scrolling
      const jumpStart = performance.now();
      for (let i = 0; i < JUMPS; i++) {
        scroller.scrollTop = ((i * 7919) % JUMPS) * (scroller.scrollHeight / JUMPS);
        await frame();
        await frame();
      }
      const perJump = (performance.now() - jumpStart) / JUMPS;
      // (d)
      // lines laid out in the DOM: the <pre> holds them all as text, the view only its rows
      const laidOut =
        kind === 'LogView' ? host.querySelectorAll('.emkit-log-line').length : scroller.textContent.split('\n').length - 1;
      return { tail, slowest, whole, perJump, laidOut };
    },
    { kind, LINES, CHUNKS, JUMPS },
  );
}

const views = await measure('LogView');
const naive = await measure('pre');
await browser.close();

const ms = (v) => `${v.toFixed(1)} ms`;
const rows = [
  ['live tail: 1,000 chunks of 100 lines, total', ms(views.tail), ms(naive.tail), naive.tail / views.tail],
  ['live tail: slowest chunk', ms(views.slowest), ms(naive.slowest), naive.slowest / views.slowest],
  ['100,000 lines at once, drawn', ms(views.whole), ms(naive.whole), naive.whole / views.whole],
  ['scroll jump, drawn (2 frames)', ms(views.perJump), ms(naive.perJump), naive.perJump / views.perJump],
  ['lines laid out in the DOM', views.laidOut.toLocaleString(), naive.laidOut.toLocaleString(), naive.laidOut / views.laidOut],
];
console.log(`log view benchmark: ${LINES.toLocaleString()} lines, Chromium headless, one run\n`);
console.log(`${'measure'.padEnd(46)}${'LogView'.padStart(12)}${'<pre>'.padStart(14)}${'pre / LogView'.padStart(16)}`);
for (const [name, a, b, ratio] of rows)
  console.log(`${name.padEnd(46)}${a.padStart(12)}${b.padStart(14)}${`${ratio.toFixed(1)}×`.padStart(16)}`);
console.log('\n(a scroll jump of ~33 ms is two frames at 60 Hz: the frame rate, not the view, is the floor there)');
