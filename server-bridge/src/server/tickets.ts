import { randomBytes } from 'node:crypto';

/** How long a ticket may wait to be used: long enough for a page to load, short enough not to matter if seen. */
export const TICKET_TTL_MS = 60_000;

/**
 * One-time credentials for pages a browser opens (TensorBoard): an address with a ticket
 * may end up in a notebook, a history or a screenshot; once used, or a minute old, it
 * opens nothing, where the token would keep opening everything.
 */
export class TicketBook {
  private readonly tickets = new Map<string, number>();

  issue(now = Date.now()): { ticket: string; expiresAt: string } {
    for (const [ticket, expires] of this.tickets) if (expires <= now) this.tickets.delete(ticket);
    const ticket = randomBytes(24).toString('base64url');
    this.tickets.set(ticket, now + TICKET_TTL_MS);
    return { ticket, expiresAt: new Date(now + TICKET_TTL_MS).toISOString() };
  }

  /** True once for a ticket issued less than a minute ago. */
  redeem(ticket: string, now = Date.now()): boolean {
    const expires = this.tickets.get(ticket);
    if (expires === undefined) return false;
    this.tickets.delete(ticket);
    return expires > now;
  }
}
