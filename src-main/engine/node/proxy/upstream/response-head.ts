/**
 * Parses an upstream's HTTP/1.x response head (RFC 9112 §4–§6) and works out
 * how its body is framed. Stricter than a browser where a guess could splice
 * two responses together (conflicting lengths, Transfer-Encoding other than
 * chunked), lenient where nothing rides on it (the reason phrase, case).
 */

/** How the body after the head ends. */
export type BodyFraming =
  /** No body at all (HEAD, 1xx, 204, 304). */
  | { kind: 'none' }
  | { kind: 'length'; length: number }
  | { kind: 'chunked' }
  /** The body runs until the upstream closes the connection. */
  | { kind: 'close' };

export interface ResponseHeadFields {
  status: number;
  /** Names in lower case and values, alternating, in the order received. */
  headers: string[];
  framing: BodyFraming;
  /** Whether the connection may carry another request after this response. */
  keepAlive: boolean;
  /** The upstream's `Keep-Alive: timeout=N`, in ms; null when it sent none. */
  keepAliveTimeoutMs: number | null;
}

/** The upstream broke HTTP/1.1: its connection cannot be trusted for anything more. */
export class MalformedResponseError extends Error {
  readonly code = 'QCC_MALFORMED_RESPONSE';

  constructor(message: string) {
    super(message);
    this.name = 'MalformedResponseError';
  }
}

// A status below 100 is no HTTP status (RFC 9110 §15); read as a 1xx it would be skipped as an interim head.
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: .*)?$/;
// eslint-disable-next-line no-control-regex -- a value with control characters (but HTAB) is refused
const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([^\x00-\x08\x0a-\x1f\x7f]*?)[ \t]*$/;
const DIGITS = /^\d{1,15}$/;
const NO_BODY: BodyFraming = { kind: 'none' };
const CHUNKED: BodyFraming = { kind: 'chunked' };
const UNTIL_CLOSE: BodyFraming = { kind: 'close' };

/**
 * Parses `head`: the latin1 text of the status line and header lines,
 * separated by CRLF, without the blank line that ends them. `requestMethod`
 * decides whether a body follows (a HEAD response has none, whatever it says).
 */
export function parseResponseHead(head: string, requestMethod: string): ResponseHeadFields {
  const lines = head.split('\r\n');
  const statusLine = STATUS_LINE.exec(lines[0] as string);
  if (statusLine === null) throw new MalformedResponseError(`malformed status line ${JSON.stringify((lines[0] as string).slice(0, 40))}`);
  const minor = statusLine[1] as string;
  const status = Number(statusLine[2]);
  const headers = new Array<string>(); // not `[]`: see ParsedHead in ../http1/request-head.ts
  let contentLength: string | undefined;
  let transferEncoding: string | undefined;
  let connection: string | undefined;
  let keepAliveHint: string | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = HEADER_LINE.exec(lines[i] as string);
    if (line === null) throw new MalformedResponseError(`malformed header line ${JSON.stringify((lines[i] as string).slice(0, 40))}`);
    const name = (line[1] as string).toLowerCase();
    const value = line[2] as string;
    headers.push(name, value);
    switch (name) {
      case 'content-length':
        contentLength = contentLength === undefined ? value : `${contentLength},${value}`;
        break;
      case 'transfer-encoding':
        transferEncoding = transferEncoding === undefined ? value : `${transferEncoding},${value}`;
        break;
      case 'connection':
        connection = connection === undefined ? value.toLowerCase() : `${connection},${value.toLowerCase()}`;
        break;
      case 'keep-alive':
        keepAliveHint = value;
        break;
    }
  }
  const framing = framingOf(status, requestMethod, contentLength, transferEncoding);
  return {
    status,
    headers,
    framing,
    keepAlive: keepsAlive(minor, connection) && framing.kind !== 'close',
    keepAliveTimeoutMs: keepAliveTimeoutOf(keepAliveHint),
  };
}

function keepsAlive(minor: string, connection: string | undefined): boolean {
  let keepAlive = minor === '1';
  if (connection === undefined) return keepAlive;
  for (const token of connection.split(',')) {
    const option = token.trim();
    if (option === 'close') return false;
    if (option === 'keep-alive') keepAlive = true;
  }
  return keepAlive;
}

/** RFC 9112 §6.3, in its order of precedence. */
function framingOf(status: number, requestMethod: string, contentLength: string | undefined, transferEncoding: string | undefined): BodyFraming {
  if (requestMethod === 'HEAD' || status < 200 || status === 204 || status === 304) return NO_BODY;
  if (transferEncoding !== undefined) {
    const codings = transferEncoding.split(',').map((coding) => coding.trim().toLowerCase());
    if (codings.length !== 1 || codings[0] !== 'chunked') throw new MalformedResponseError(`unsupported transfer-encoding ${JSON.stringify(transferEncoding)}`);
    return CHUNKED;
  }
  if (contentLength === undefined) return UNTIL_CLOSE;
  const values = contentLength.split(',').map((value) => value.trim());
  const first = values[0] as string;
  if (!values.every((value) => DIGITS.test(value) && value === first)) throw new MalformedResponseError(`invalid content-length ${JSON.stringify(contentLength)}`);
  return { kind: 'length', length: Number(first) };
}

/** `timeout=5, max=100` → 5000; anything unreadable → null (the client's own idle limit applies). */
function keepAliveTimeoutOf(hint: string | undefined): number | null {
  if (hint === undefined) return null;
  const timeout = /(?:^|[,\s])timeout=(\d{1,6})\b/i.exec(hint);
  return timeout === null ? null : Number(timeout[1]) * 1000;
}
