import { describe, expect, it } from 'vitest';
import { redactUrl } from '../runtime/logger.js';
import { originAllowed, tokenMatches, withoutCredentials } from './security.js';

describe('origin allow-list', () => {
  it('matches exactly, or any port with :*', () => {
    expect(originAllowed('http://127.0.0.1:8888', ['http://127.0.0.1:8888'])).toBe(true);
    expect(originAllowed('http://127.0.0.1:8889', ['http://127.0.0.1:8888'])).toBe(false);
    expect(originAllowed('http://localhost:3000', ['http://localhost:*'])).toBe(true);
    expect(originAllowed('http://localhost', ['http://localhost:*'])).toBe(true);
    expect(originAllowed('http://localhost.evil.example:3000', ['http://localhost:*'])).toBe(false);
    expect(originAllowed('http://localhost:3000/x', ['http://localhost:*'])).toBe(false);
    expect(originAllowed('https://evil.example', [])).toBe(false);
  });
});

describe('token comparison', () => {
  it('accepts only the exact token', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abd', 'abc')).toBe(false);
    expect(tokenMatches('abcd', 'abc')).toBe(false);
    expect(tokenMatches(undefined, 'abc')).toBe(false);
    expect(tokenMatches('', 'abc')).toBe(false);
  });
});

describe('log redaction', () => {
  it('removes a token from any position in a query string', () => {
    expect(redactUrl('/api/v1/events?token=s3cret&since=4')).toBe('/api/v1/events?token=[redacted]&since=4');
    expect(redactUrl('/x?since=4&TOKEN=s3cret')).toBe('/x?since=4&TOKEN=[redacted]');
    expect(redactUrl('/x?notatoken=1')).toBe('/x?notatoken=1');
  });
});

describe('credentials in an address', () => {
  it('are taken out, the rest of the address kept; an address without any is left alone', () => {
    expect(withoutCredentials('/tensorboard/a/data/runs?token=t&x=1&ticket=k')).toBe('/tensorboard/a/data/runs?x=1');
    expect(withoutCredentials('/tensorboard/a/?ticket=k')).toBe('/tensorboard/a/');
    expect(withoutCredentials('/tensorboard/a/?x=%20y')).toBeNull();
  });
});
