import { describe, expect, it } from 'vitest';
import { BrowserSessions, SESSION_IDLE_MS, SESSION_MAX_MS } from './browser-sessions.js';

describe('BrowserSessions', () => {
  it('opens a different session each time, for its own scope only', () => {
    const book = new BrowserSessions();
    const a = book.open('/tensorboard/a/', 0);
    const b = book.open('/tensorboard/a/', 0);
    expect(a.value).not.toBe(b.value);
    expect(book.check(a.value, '/tensorboard/a/', 1)).toBe(true);
    expect(book.check(a.value, '/tensorboard/b/', 1)).toBe(false);
    expect(book.check('made-up', '/tensorboard/a/', 1)).toBe(false);
  });

  it('ends a session left idle, and any session past its absolute limit however busy', () => {
    const book = new BrowserSessions();
    const idle = book.open('/s/', 0);
    expect(book.check(idle.value, '/s/', SESSION_IDLE_MS + 1)).toBe(false);
    const busy = book.open('/s/', 0);
    for (let t = 0; t < SESSION_MAX_MS; t += SESSION_IDLE_MS / 2) expect(book.check(busy.value, '/s/', t)).toBe(true);
    expect(book.check(busy.value, '/s/', SESSION_MAX_MS + 1)).toBe(false);
  });

  it('revokes every session of a scope', () => {
    const book = new BrowserSessions();
    const a = book.open('/tensorboard/a/', 0);
    const b = book.open('/tensorboard/b/', 0);
    book.revoke('/tensorboard/a/');
    expect(book.check(a.value, '/tensorboard/a/', 1)).toBe(false);
    expect(book.check(b.value, '/tensorboard/b/', 1)).toBe(true);
  });
});
