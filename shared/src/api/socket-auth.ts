/**
 * How a WebSocket to the bridge carries the token: in the `Sec-WebSocket-Protocol` header,
 * the one header a browser's WebSocket can set, never in the address (which a browser
 * console prints when a socket fails, and proxies log). The client offers two subprotocols,
 * the plain `emkit` and `emkit.bearer.<the token, base64url>`; the bridge answers with
 * `emkit`, so the credential is not sent back.
 */
export const SOCKET_PROTOCOL = 'emkit';
export const SOCKET_BEARER_PREFIX = 'emkit.bearer.';

// base64url keeps any token within the characters a subprotocol may hold
function toBase64Url(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string | undefined {
  try {
    const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

/** The subprotocols a client offers to authenticate with `token`. */
export function socketProtocols(token: string): string[] {
  return [SOCKET_PROTOCOL, `${SOCKET_BEARER_PREFIX}${toBase64Url(token)}`];
}

/** The token in a `Sec-WebSocket-Protocol` request header, if it carries one. */
export function tokenFromSocketProtocols(header: string | undefined): string | undefined {
  for (const offered of (header ?? '').split(',')) {
    const protocol = offered.trim();
    if (protocol.startsWith(SOCKET_BEARER_PREFIX)) return fromBase64Url(protocol.slice(SOCKET_BEARER_PREFIX.length));
  }
  return undefined;
}
