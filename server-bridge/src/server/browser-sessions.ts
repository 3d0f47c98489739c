import { createHash, randomBytes } from 'node:crypto';

/** A session left unused this long ends (a tab forgotten overnight opens nothing the next day). */
export const SESSION_IDLE_MS = 2 * 60 * 60 * 1000;
/** However busy, a session ends this long after its ticket was spent. */
export const SESSION_MAX_MS = 12 * 60 * 60 * 1000;
/** Tickets need the token, so this only bounds what a runaway client can make the bridge hold. */
const MAX_SESSIONS = 1000;

interface Session {
  scope: string;
  createdAt: number;
  usedAt: number;
}

const key = (value: string) => createHash('sha256').update(value).digest('base64url');

/**
 * The sessions of browser tabs on pages the bridge serves (a TensorBoard): one random
 * value per spent ticket, good for one scope (a board's path) only, ending when idle, at
 * an absolute limit, when revoked (the board deleted) and with the bridge (they live in
 * its memory only, so a restart ends them all).
 */
export class BrowserSessions {
  private readonly sessions = new Map<string, Session>();

  /** A new session for `scope`; the value goes into the cookie, only its hash is kept. */
  open(scope: string, now = Date.now()): { value: string; maxAgeSeconds: number } {
    this.prune(now);
    if (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    const value = randomBytes(32).toString('base64url');
    this.sessions.set(key(value), { scope, createdAt: now, usedAt: now });
    return { value, maxAgeSeconds: Math.floor(SESSION_MAX_MS / 1000) };
  }

  /** Is `value` a live session for `scope`? A yes counts as a use. */
  check(value: string, scope: string, now = Date.now()): boolean {
    const id = key(value);
    const session = this.sessions.get(id);
    if (!session) return false;
    if (now - session.usedAt > SESSION_IDLE_MS || now - session.createdAt > SESSION_MAX_MS) {
      this.sessions.delete(id);
      return false;
    }
    if (session.scope !== scope) return false;
    session.usedAt = now;
    return true;
  }

  /** End every session of `scope` (its board was deleted). */
  revoke(scope: string): void {
    for (const [id, session] of this.sessions) if (session.scope === scope) this.sessions.delete(id);
  }

  private prune(now: number): void {
    for (const [id, session] of this.sessions) {
      if (now - session.usedAt > SESSION_IDLE_MS || now - session.createdAt > SESSION_MAX_MS) this.sessions.delete(id);
    }
  }
}
