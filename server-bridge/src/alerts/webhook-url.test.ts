import { describe, expect, it } from 'vitest';
import { HttpError } from '../server/errors.js';
import { checkWebhookUrl, hideCredentials, requestTarget } from './webhook-url.js';

describe('webhook URLs', () => {
  it('takes http and https, refuses every other scheme and non-URLs naming the field', () => {
    expect(checkWebhookUrl('https://chat.example.com/hooks/1')).toBe('https://chat.example.com/hooks/1');
    expect(checkWebhookUrl('http://127.0.0.1:9000/x')).toBe('http://127.0.0.1:9000/x');
    for (const bad of ['ftp://x/y', 'file:///etc/passwd', 'javascript:alert(1)', 'chat.example.com/x', '']) {
      const error = (() => {
        try {
          checkWebhookUrl(bad);
        } catch (e) {
          return e;
        }
      })() as HttpError;
      expect(error, bad).toBeInstanceOf(HttpError);
      expect([error.status, error.field]).toEqual([400, 'webhook']);
    }
  });

  it('hides the user, the password and every query value, and keeps the rest', () => {
    expect(hideCredentials('https://bot:hunter2@chat.example.com/hooks/1?token=abc&channel=ops')).toBe(
      'https://***:***@chat.example.com/hooks/1?token=***&channel=***',
    );
    expect(hideCredentials('https://chat.example.com/hooks/1')).toBe('https://chat.example.com/hooks/1');
    expect(hideCredentials('not a url with a secret')).toBe('***');
  });

  it('sends the user:password as Basic auth, never in the URL fetch is given', () => {
    expect(requestTarget('https://bot:p%40ss@chat.example.com/h')).toEqual({
      url: 'https://chat.example.com/h',
      authorization: `Basic ${Buffer.from('bot:p@ss').toString('base64')}`,
    });
    expect(requestTarget('https://chat.example.com/h')).toEqual({ url: 'https://chat.example.com/h', authorization: null });
  });
});
