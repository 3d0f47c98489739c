import { HttpError } from '../server/errors.js';

const HIDDEN = '***';

/** A webhook as the user gave it: an absolute http(s) URL, or a 400 naming the field. */
export function checkWebhookUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new HttpError(
      400,
      'validation',
      `webhook "${hideCredentials(value)}" is not a URL: give an http(s) address`,
      'webhook',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HttpError(
      400,
      'validation',
      `webhook must be an http(s) URL, not ${url.protocol.replace(/:$/, '')}: (e.g. https://chat.example.com/hooks/…)`,
      'webhook',
    );
  }
  return url.toString();
}

/**
 * The URL with what may be a credential hidden: the user:password part and every query value (chat tools put
 * their tokens there). What the API shows and the log may name; the sender alone reads the stored URL.
 */
export function hideCredentials(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // not a URL: nothing can be told apart, so nothing is shown
    return HIDDEN;
  }
  if (url.username) url.username = HIDDEN;
  if (url.password) url.password = HIDDEN;
  for (const key of [...new Set(url.searchParams.keys())]) url.searchParams.set(key, HIDDEN);
  // URLSearchParams encodes "*" as is; the userinfo keeps it too
  return url.toString().replaceAll('%2A', '*');
}

/** What fetch is given: the URL without its user:password (fetch refuses those) and that pair as Basic auth. */
export function requestTarget(value: string): { url: string; authorization: string | null } {
  const url = new URL(value);
  if (!url.username && !url.password) return { url: url.toString(), authorization: null };
  const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  url.username = '';
  url.password = '';
  return { url: url.toString(), authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
}
