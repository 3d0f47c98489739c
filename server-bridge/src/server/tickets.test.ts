import { describe, expect, it } from 'vitest';
import { TICKET_TTL_MS, TicketBook } from './tickets.js';

describe('TicketBook', () => {
  it('lets a ticket in once, within its minute, and never an unknown one', () => {
    const book = new TicketBook();
    const { ticket, expiresAt } = book.issue(1_000);
    expect(Date.parse(expiresAt)).toBe(1_000 + TICKET_TTL_MS);
    expect(book.redeem('not-issued', 1_001)).toBe(false);
    expect(book.redeem(ticket, 1_001)).toBe(true);
    expect(book.redeem(ticket, 1_002)).toBe(false);
    const late = book.issue(2_000).ticket;
    expect(book.redeem(late, 2_000 + TICKET_TTL_MS)).toBe(false);
  });
});
