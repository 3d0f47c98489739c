import { afterEach, describe, expect, it } from 'vitest';
import { redactUrl, scrubSecrets } from './logger.js';
import { addSecret, clearSecrets } from './secrets.js';

afterEach(() => clearSecrets());

describe('log redaction', () => {
  it('redacts a credential parameter however it is spelled or encoded', () => {
    expect(redactUrl('/x?%74oken=abc&since=1')).toBe('/x?%74oken=[redacted]&since=1');
    expect(redactUrl('/x?%54%4F%4B%45%4E=abc')).toBe('/x?%54%4F%4B%45%4E=[redacted]');
    expect(redactUrl('/x?Ticket=abc')).toBe('/x?Ticket=[redacted]');
    expect(redactUrl('/x?tokens=1&notatoken=2')).toBe('/x?tokens=1&notatoken=2');
  });

  it('redacts the secret itself wherever it is: a path segment, any value, percent-encoded', () => {
    const secret = 'Zm9vYmFyLXNlY3JldC12YWx1ZQ';
    addSecret(secret);
    const encoded = [...secret].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('');
    expect(redactUrl(`/api/v1/experiments/${secret}`)).toBe('/api/v1/experiments/[redacted]');
    expect(redactUrl(`/x?other=${encoded}&a=1`)).toBe('/x?other=[redacted]&a=1');
    expect(redactUrl(`/x?${secret}`)).toBe('/x?[redacted]');
    expect(scrubSecrets(`{"msg":"bad ${secret}!"}`)).toBe('{"msg":"bad [redacted]!"}');
  });
});
