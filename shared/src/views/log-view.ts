import type { Translate } from '../feeds/protocol.js';
import { actionButton, type ControlElement, control, FrameBatch, h } from './dom.js';

// CSI sequences (colours, cursor moves) and OSC titles: a log is read here as plain text
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape codes are what this strips
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;
/** Rows rendered above and below the visible ones, so a fast scroll doesn't show blanks. */
const OVERSCAN = 20;
/** Every row is this tall (the stylesheet says so too): positions are arithmetic, never measured. */
export const LOG_ROW_HEIGHT = 18;

/**
 * Lines of text: whole lines, plus the line still being written. A chunk may end in the
 * middle of a line (or of a CRLF); `\r` alone moves back to the line's start, as a terminal
 * does, so progress bars end up as their last state instead of a thousand lines.
 */
export class LogLines {
  readonly lines: string[] = [];
  private partial = '';
  private pendingCr = false;

  /** Adds a chunk; returns the index of the first line that changed. */
  append(chunk: string): number {
    const firstChanged = this.lines.length;
    let text = chunk.replace(ANSI, '');
    if (this.pendingCr) {
      text = `\r${text}`;
      this.pendingCr = false;
    }
    if (text.endsWith('\r')) {
      this.pendingCr = true;
      text = text.slice(0, -1);
    }
    const parts = text.replace(/\r\n/g, '\n').split('\n');
    parts[0] = this.partial + parts[0];
    this.partial = overwrite(parts.pop() ?? '');
    for (const part of parts) this.lines.push(overwrite(part));
    return firstChanged;
  }

  /** Every line, the unfinished one included when it has text. */
  get count(): number {
    return this.lines.length + (this.partial ? 1 : 0);
  }

  line(index: number): string {
    return index < this.lines.length ? (this.lines[index] ?? '') : this.partial;
  }

  clear(): void {
    this.lines.length = 0;
    this.partial = '';
    this.pendingCr = false;
  }
}

function overwrite(line: string): string {
  const cr = line.lastIndexOf('\r');
  return cr < 0 ? line : line.slice(cr + 1);
}

/** The lines holding `query` (case-insensitive), in order. */
export function findMatches(lines: LogLines, query: string, from = 0, into: number[] = []): number[] {
  if (!query) return into;
  const needle = query.toLowerCase();
  for (let i = from; i < lines.count; i++) if (lines.line(i).toLowerCase().includes(needle)) into.push(i);
  return into;
}

/**
 * A log viewer for logs of any length: only the rows in sight (plus a margin) are in the
 * DOM, positioned inside a spacer as tall as every line, so 100,000 lines cost what 60 do.
 * It follows the tail while the reader is at the bottom, and stops when they scroll up.
 */
export class LogView {
  readonly element: HTMLElement;
  private readonly doc: Document;
  private readonly lines = new LogLines();
  private readonly viewport: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly rows: HTMLElement;
  private readonly searchInput: ControlElement;
  private readonly matchLabel: HTMLElement;
  private readonly countLabel: HTMLElement;
  private readonly jumpButton: ControlElement;
  private readonly rowHeight = LOG_ROW_HEIGHT;
  private follow = true;
  private query = '';
  private matches: number[] = [];
  private current = -1;
  private readonly frame: FrameBatch;
  private rendered = { first: -1, last: -1, count: -1, query: '', current: -1 };

  constructor(
    parent: HTMLElement,
    private readonly t: Translate,
  ) {
    this.doc = parent.ownerDocument;
    this.frame = new FrameBatch(this.doc, () => this.flush());
    const doc = this.doc;
    this.searchInput = control(doc, 'textField', {
      className: 'emkit-input emkit-log-search',
      label: t('Search the log'),
      attrs: { type: 'search', placeholder: t('Search the log') },
    });
    this.matchLabel = h(doc, 'span', { className: 'emkit-log-matches', attrs: { 'aria-live': 'polite' } });
    this.countLabel = h(doc, 'span', { className: 'emkit-log-count' });
    this.jumpButton = actionButton(doc, 'log-end', t('Jump to end'), () => this.jumpToEnd());
    const previous = actionButton(doc, 'log-previous', '↑', () => this.step(-1));
    const next = actionButton(doc, 'log-next', '↓', () => this.step(1));
    previous.title = t('Previous match');
    next.title = t('Next match');
    this.rows = h(doc, 'div', { className: 'emkit-log-rows' });
    this.spacer = h(doc, 'div', { className: 'emkit-log-spacer' }, [this.rows]);
    this.viewport = h(doc, 'div', { className: 'emkit-log-viewport', attrs: { tabindex: '0', role: 'log' } }, [this.spacer]);
    this.element = h(doc, 'div', { className: 'emkit-log' }, [
      h(doc, 'div', { className: 'emkit-toolbar' }, [
        this.searchInput,
        previous,
        next,
        this.matchLabel,
        h(doc, 'span', { className: 'emkit-spacer' }),
        this.countLabel,
        this.jumpButton,
      ]),
      this.viewport,
    ]);
    parent.appendChild(this.element);

    this.viewport.addEventListener('scroll', () => {
      this.follow = this.atBottom();
      this.schedule();
    });
    this.searchInput.addEventListener('input', () => this.search(this.searchInput.value));
    this.searchInput.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') this.step(event.shiftKey ? -1 : 1);
    });
    this.schedule();
  }

  get lineCount(): number {
    return this.lines.count;
  }

  /** Whether new lines scroll into view. */
  get following(): boolean {
    return this.follow;
  }

  append(chunk: string): void {
    const from = this.lines.append(chunk);
    // the line that was unfinished may now hold the query: scan from it again
    if (this.query) {
      const keep = this.matches.filter((i) => i < from);
      this.matches = findMatches(this.lines, this.query, from, keep);
    }
    this.schedule();
  }

  clear(): void {
    this.lines.clear();
    this.matches = [];
    this.current = -1;
    this.follow = true;
    this.schedule();
  }

  /** Highlights every line holding `query` and moves to the first one. */
  search(query: string): void {
    this.query = query;
    if (this.searchInput.value !== query) this.searchInput.value = query;
    this.matches = findMatches(this.lines, query);
    this.current = -1;
    if (this.matches.length) this.step(1);
    else this.schedule();
  }

  get matchCount(): number {
    return this.matches.length;
  }

  /** Moves to the next (1) or previous (-1) match, wrapping around. */
  step(direction: 1 | -1): void {
    if (!this.matches.length) return;
    this.current = (this.current + direction + this.matches.length) % this.matches.length;
    const line = this.matches[this.current] ?? 0;
    this.follow = false;
    const top = line * this.rowHeight;
    const height = this.viewport.clientHeight || this.rowHeight * 20;
    if (top < this.viewport.scrollTop || top + this.rowHeight > this.viewport.scrollTop + height) {
      this.viewport.scrollTop = Math.max(0, top - height / 2);
    }
    this.schedule();
  }

  jumpToEnd(): void {
    this.follow = true;
    this.schedule();
  }

  /** Renders now rather than on the next frame (tests, and hosts that just became visible). */
  flush(): void {
    this.frame.pending = false;
    this.render();
  }

  dispose(): void {
    this.element.remove();
  }

  private atBottom(): boolean {
    return this.viewport.scrollTop + this.viewport.clientHeight >= this.viewport.scrollHeight - this.rowHeight;
  }

  private schedule(): void {
    this.frame.schedule();
  }

  private render(): void {
    const count = this.lines.count;
    this.spacer.style.height = `${count * this.rowHeight}px`;
    const height = this.viewport.clientHeight || this.rowHeight * 40;
    // following: the window is the tail, whatever the DOM reports back before layout
    const top = this.follow ? Math.max(0, count * this.rowHeight - height) : this.viewport.scrollTop;
    if (this.follow) this.viewport.scrollTop = top;
    const first = Math.max(0, Math.floor(top / this.rowHeight) - OVERSCAN);
    const last = Math.min(count, Math.ceil((top + height) / this.rowHeight) + OVERSCAN);
    const current = this.matches[this.current] ?? -1;
    const r = this.rendered;
    // the unfinished last line can change without the count changing: redraw when it's in sight
    const tailInSight = last === count;
    if (
      r.first !== first ||
      r.last !== last ||
      r.count !== count ||
      r.query !== this.query ||
      r.current !== current ||
      tailInSight
    ) {
      this.rows.style.transform = `translateY(${first * this.rowHeight}px)`;
      const fragment = this.doc.createDocumentFragment();
      for (let i = first; i < last; i++) fragment.appendChild(this.row(i, i === current));
      this.rows.replaceChildren(fragment);
      this.rendered = { first, last, count, query: this.query, current };
    }
    this.countLabel.textContent = this.t('{0} lines', count.toLocaleString());
    this.matchLabel.textContent = !this.query
      ? ''
      : this.matches.length
        ? this.t('{0} of {1}', this.current + 1, this.matches.length)
        : this.t('No matches');
    this.jumpButton.hidden = this.follow;
  }

  private row(index: number, isCurrent: boolean): HTMLElement {
    const text = this.lines.line(index);
    const row = h(this.doc, 'div', { className: isCurrent ? 'emkit-log-line emkit-current' : 'emkit-log-line' });
    row.dataset.line = String(index + 1);
    if (!this.query) {
      row.textContent = text || '\u200b';
      return row;
    }
    // highlight each occurrence with <mark>, the rest as plain text nodes
    const lower = text.toLowerCase();
    const needle = this.query.toLowerCase();
    let at = 0;
    for (let hit = lower.indexOf(needle); hit >= 0; hit = lower.indexOf(needle, at)) {
      if (hit > at) row.appendChild(this.doc.createTextNode(text.slice(at, hit)));
      row.appendChild(h(this.doc, 'mark', { text: text.slice(hit, hit + needle.length) }));
      at = hit + needle.length;
    }
    if (at < text.length || !text) row.appendChild(this.doc.createTextNode(text.slice(at) || '\u200b'));
    return row;
  }
}
