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
  // The body is replayed from memory; the upstream client sets the length itself.
  'content-length',
  // The client's credential is the local proxy token: never forwarded.
  'x-api-key',
  'authorization',
]);

/** Lengths of the dropped names: most headers (Claude Code sends twenty-odd) are kept without a lower-case copy of their name. */
const DROPPED_REQUEST_LENGTHS = new Set([...DROPPED_REQUEST_HEADERS].map((name) => name.length));

const DROPPED_RESPONSE_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'trailer', 'upgrade']);

/**
 * The client's headers as received (names' case, order and duplicates kept,
 * as a flat array), minus hop-by-hop, host and auth, plus the
 * endpoint's key in its configured style.
 */
export function upstreamRequestHeaders(rawHeaders: readonly string[], apiKey: string, authStyle: AuthStyle): string[] {
  const out = new Array<string>(); // not `[]`: see `ParsedHead` in http1/request-head.ts
  let connectionTokens: Set<string> | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (DROPPED_REQUEST_LENGTHS.has(name.length)) {
      const lower = name.toLowerCase();
      if (lower === 'connection') connectionTokens = addTokens(connectionTokens, rawHeaders[i + 1] as string);
      if (DROPPED_REQUEST_HEADERS.has(lower)) continue;
    }
    out.push(name, rawHeaders[i + 1] as string);
  }
  const kept = connectionTokens === undefined ? out : withoutNamed(out, connectionTokens);
  if (authStyle === 'bearer') kept.push('authorization', `Bearer ${apiKey}`);
  else kept.push('x-api-key', apiKey);
  return kept;
}

/** An upstream response head, ready to relay: what the commit rule needs, and the headers for the client. */
export interface ResponseHead {
  /** Flat `[name, value, …]` in order with duplicates, names in lower case, minus hop-by-hop and `x-qcc-*`: `writeHead`'s array form. */
  headers: string[];
  contentType: string | undefined;
  contentEncoding: string | undefined;
}

/**
 * The upstream's response headers (lower-case names and values alternating)
 * as the client gets them. A flat array keeps duplicates such as
 * `set-cookie` without building an object per response.
 */
export function clientResponseHead(received: readonly string[]): ResponseHead {
  const headers = new Array<string>(); // not `[]`: see `ParsedHead` in http1/request-head.ts
  let contentType: string | undefined;
  let contentEncoding: string | undefined;
  for (let i = 0; i < received.length; i += 2) {
    const name = received[i] as string;
    // Ours are set fresh for each response; a chained QCC's must not be doubled.
    if (DROPPED_RESPONSE_HEADERS.has(name) || name.startsWith('x-qcc-')) continue;
    const value = received[i + 1] as string;
    if (name === 'content-type') contentType ??= value;
    else if (name === 'content-encoding') contentEncoding ??= value;
    headers.push(name, value);
  }
  return new ParsedResponseHead(headers, contentType, contentEncoding);
}

/** A class and `new Array()`, not literals: see `ParsedHead` in http1/request-head.ts. */
class ParsedResponseHead implements ResponseHead {
  constructor(
    readonly headers: string[],
    readonly contentType: string | undefined,
    readonly contentEncoding: string | undefined,
  ) {}
}

/** A flat header list as an object with lower-case names (repeated names become arrays), for the rare paths that look values up. */
export function headerRecord(flat: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < flat.length; i += 2) {
    const name = (flat[i] as string).toLowerCase();
    const value = flat[i + 1] as string;
    const seen = out[name];
    out[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return out;
}

/** `headers` without every `name` (lower case), plus `extra`: for a held response sent with a new length. */
export function replaceHeaders(headers: readonly string[], names: ReadonlySet<string>, extra: readonly string[]): string[] {
  const out = withoutNamed(headers, names);
  out.push(...extra);
  return out;
}

/**
 * Extra headers named in `Connection:` are hop-by-hop too. Clients mostly
 * send `keep-alive`, already dropped: only other names make a second pass.
 */
function addTokens(tokens: Set<string> | undefined, value: string): Set<string> | undefined {
  if (value === 'keep-alive' || value === 'close') return tokens;
  let set = tokens;
  for (const token of value.split(',')) {
    const name = token.trim().toLowerCase();
    if (name === 'close' || DROPPED_REQUEST_HEADERS.has(name)) continue;
    set ??= new Set<string>();
    set.add(name);
  }
  return set;
}

function withoutNamed(flat: readonly string[], names: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    if (!names.has((flat[i] as string).toLowerCase())) out.push(flat[i] as string, flat[i + 1] as string);
  }
  return out;
}

/** The local proxy token presented by the client, as `x-api-key` or `Authorization: Bearer`. */
export function presentedToken(request: { header(lowerName: string): string | undefined }): string | undefined {
  const apiKey = request.header('x-api-key');
  if (apiKey) return apiKey;
  const authorization = request.header('authorization');
  if (authorization !== undefined && /^bearer /i.test(authorization)) return authorization.slice(7).trim();
  return undefined;
}
