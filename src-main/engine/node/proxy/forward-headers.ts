import type { AuthStyle } from '../../../../src-shared/model/config.js';

/** Hop-by-hop headers (RFC 9110 §7.6.1) and the ones the proxy itself owns. */
const DROPPED_REQUEST_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'host',
  // The body is replayed from memory; undici sets the length itself.
  'content-length',
  // The client's credential is the local proxy token: never forwarded.
  'x-api-key',
  'authorization',
]);

const DROPPED_RESPONSE_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'trailer', 'upgrade']);

/**
 * The client's headers as received (names' case, order and duplicates kept,
 * as undici's flat array), minus hop-by-hop, host and auth, plus the
 * endpoint's key in its configured style.
 */
export function upstreamRequestHeaders(rawHeaders: readonly string[], apiKey: string, authStyle: AuthStyle): string[] {
  const connectionTokens = connectionListed(rawHeaders);
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const lower = name.toLowerCase();
    if (DROPPED_REQUEST_HEADERS.has(lower) || connectionTokens?.has(lower)) continue;
    out.push(name, rawHeaders[i + 1] as string);
  }
  if (authStyle === 'bearer') out.push('authorization', `Bearer ${apiKey}`);
  else out.push('x-api-key', apiKey);
  return out;
}

/** Upstream response headers to pass to the client: all but hop-by-hop ones. */
export function clientResponseHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || DROPPED_RESPONSE_HEADERS.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/** Extra headers named in `Connection:` are hop-by-hop too. */
function connectionListed(rawHeaders: readonly string[]): Set<string> | undefined {
  let tokens: Set<string> | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if ((rawHeaders[i] as string).toLowerCase() !== 'connection') continue;
    tokens ??= new Set();
    for (const token of (rawHeaders[i + 1] as string).split(',')) tokens.add(token.trim().toLowerCase());
  }
  return tokens;
}

/** The local proxy token presented by the client, as `x-api-key` or `Authorization: Bearer`. */
export function presentedToken(headers: Record<string, string | string[] | undefined>): string | undefined {
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey) return apiKey;
  const authorization = headers['authorization'];
  if (typeof authorization === 'string' && /^bearer /i.test(authorization)) return authorization.slice(7).trim();
  return undefined;
}
