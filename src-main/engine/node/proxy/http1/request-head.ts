/**
 * Parses an HTTP/1.x request head (RFC 9112 §2–§6) strictly: anything a
 * lenient parser would have to guess about — bare LF, control characters,
 * obsolete line folding, a space before the colon, Content-Length together
 * with Transfer-Encoding, conflicting lengths — is refused with the status
 * and reason the client gets. Guessing is how request smuggling starts, and
 * the clients QCC serves (Claude Code, the Anthropic SDKs, curl) never send
 * such requests.
 */

/** A request head the connection can act on. */
export interface RequestHead {
  method: string;
  /** The request target in origin form (`/v1/messages?beta=true`), as received. */
  target: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minorVersion: 0 | 1;
  /** Names (case kept) and values, alternating, in the order received. */
  rawHeaders: string[];
  /** Body bytes that follow the head: a length (0 for none), or `CHUNKED`. */
  bodyLength: number;
  /** Whether the connection may carry another request after this one. */
  keepAlive: boolean;
  /** The client waits for `100 Continue` before it sends the body. */
  expectContinue: boolean;
}

/** `bodyLength` of a chunked body: its length is known only at its end. */
export const CHUNKED = -1;

/** Why a request was refused before it reached the handler: the status and the reason the client is told. */
export class RequestError extends Error {
  /** The request line's method and target, when the request got that far (for the request log). */
  requestLine: { method: string; target: string } | null = null;

  constructor(
    readonly status: 400 | 408 | 413 | 417 | 431 | 501 | 505,
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) ([\x21-\x7e]+) HTTP\/(\d)\.(\d)$/;
/**
 * One header line, matched where the last one ended: a token name, the colon
 * (no space before it), optional whitespace, then a value without control
 * characters other than HTAB — so no CR or LF outside the line's own CRLF.
 */
// eslint-disable-next-line no-control-regex -- excluding control characters is the point
const HEADER_LINE = /([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([^\x00-\x08\x0a-\x1f\x7f]*)\r\n/y;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
const DIGITS = /^\d{1,15}$/;
const CONTROL_MESSAGE = 'Bad request: the request head contains a control character or a line break that is not CRLF.';

/**
 * Parses `head`: the latin1 text of the request line and header lines,
 * each but the last ending in CRLF, without the blank line that ends them.
 */
export function parseRequestHead(head: string): RequestHead {
  const text = `${head}\r\n`;
  const lineEnd = text.indexOf('\r\n');
  const line = text.slice(0, lineEnd);
  const requestLine = REQUEST_LINE.exec(line);
  if (requestLine === null) throw new RequestError(400, CONTROL.test(line) ? CONTROL_MESSAGE : 'Bad request: the request line is not "METHOD /path HTTP/1.1".');
  const [, method, target, major, minor] = requestLine as unknown as [string, string, string, string, string];
  if (major !== '1' || (minor !== '0' && minor !== '1')) throw new RequestError(505, `HTTP version ${major}.${minor} is not supported; use HTTP/1.1.`);
  if (method === 'CONNECT') throw new RequestError(501, 'CONNECT is not supported: QCC is not a tunnelling proxy. Point ANTHROPIC_BASE_URL at it instead.');
  if (target.charCodeAt(0) !== 0x2f) throw new RequestError(400, 'Bad request: the request target must be a path starting with "/".');
  try {
    return parseHeaders(method, target, minor === '1' ? 1 : 0, text, lineEnd + 2);
  } catch (error) {
    if (error instanceof RequestError) error.requestLine = { method, target };
    throw error;
  }
}

/** The header lines of `text` from `from` on, each ending in CRLF (the last one too). */
function parseHeaders(method: string, target: string, minorVersion: 0 | 1, text: string, from: number): RequestHead {
  const rawHeaders = new Array<string>(); // not `[]`: see ParsedHead
  let contentLength: string | undefined;
  let transferEncoding: string | undefined;
  let connection: string | undefined;
  let expect: string | undefined;
  let hosts = 0;
  HEADER_LINE.lastIndex = from;
  while (HEADER_LINE.lastIndex < text.length) {
    const at = HEADER_LINE.lastIndex;
    const match = HEADER_LINE.exec(text);
    if (match === null) throw headerLineError(text, at);
    const name = match[1] as string;
    let value = match[2] as string;
    const last = value.charCodeAt(value.length - 1);
    if (last === 0x20 || last === 0x09) value = value.replace(/[ \t]+$/, '');
    rawHeaders.push(name, value);
    // The names framing depends on, compared without allocating a lower-case copy of every name.
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === 'host') hosts++;
        break;
      case 6:
        if (name.toLowerCase() === 'expect') expect = value.toLowerCase();
        break;
      case 10:
        if (name.toLowerCase() === 'connection') connection = connection === undefined ? value.toLowerCase() : `${connection},${value.toLowerCase()}`;
        break;
      case 14:
        if (name.toLowerCase() === 'content-length') contentLength = contentLength === undefined ? value : `${contentLength},${value}`;
        break;
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') transferEncoding = transferEncoding === undefined ? value : `${transferEncoding},${value}`;
        break;
    }
  }
  if (minorVersion === 1 && hosts !== 1) throw new RequestError(400, hosts === 0 ? 'Bad request: HTTP/1.1 requires a Host header.' : 'Bad request: more than one Host header.');

  return new ParsedHead(
    method,
    target,
    minorVersion,
    rawHeaders,
    bodyLengthOf(contentLength, transferEncoding, minorVersion),
    connection === undefined ? minorVersion === 1 : keepsAlive(connection, minorVersion),
    // RFC 9110 §10.1.1: an HTTP/1.0 client gets no 1xx, so its Expect is ignored.
    expect !== undefined && minorVersion === 1 && expectsContinue(expect),
  );
}

/**
 * A class, and `new Array()` for its headers, not literals: V8 allocates
 * every object made at a literal straight in old space once most of them
 * have outlived a young-generation GC, as the heads of long streams do. Short
 * requests after that fill old space with garbage, and with the header
 * strings it references, until the next full GC: 25–30 MiB more RSS after a
 * burst of requests that follows streams (`npm run bench`).
 */
class ParsedHead implements RequestHead {
  constructor(
    readonly method: string,
    readonly target: string,
    readonly minorVersion: 0 | 1,
    readonly rawHeaders: string[],
    readonly bodyLength: number,
    readonly keepAlive: boolean,
    readonly expectContinue: boolean,
  ) {}
}

/** RFC 9112 §6.3: Transfer-Encoding wins over Content-Length, but a request with both is refused (§6.1: a smuggling sign). */
function bodyLengthOf(contentLength: string | undefined, transferEncoding: string | undefined, minorVersion: 0 | 1): number {
  if (transferEncoding !== undefined) {
    if (contentLength !== undefined) throw new RequestError(400, 'Bad request: both Content-Length and Transfer-Encoding are present.');
    if (minorVersion === 0) throw new RequestError(400, 'Bad request: Transfer-Encoding in an HTTP/1.0 request.');
    const codings = transferEncoding.split(',').map((coding) => coding.trim().toLowerCase());
    if (codings[codings.length - 1] !== 'chunked') throw new RequestError(400, 'Bad request: the last transfer coding must be chunked.');
    if (codings.length > 1) throw new RequestError(501, `Transfer-Encoding "${transferEncoding}" is not supported; send the body with Content-Length or chunked alone.`);
    return CHUNKED;
  }
  if (contentLength === undefined) return 0;
  // Repeated or comma-joined lengths are accepted only when they all agree (RFC 9110 §8.6).
  const values = contentLength.split(',');
  const first = values[0]?.trim() ?? '';
  for (const value of values) {
    if (!DIGITS.test(value.trim()) || value.trim() !== first) throw new RequestError(400, `Bad request: invalid Content-Length ${JSON.stringify(contentLength)}.`);
  }
  return Number(first);
}

function keepsAlive(connection: string, minorVersion: 0 | 1): boolean {
  let keepAlive = minorVersion === 1;
  for (const token of connection.split(',')) {
    const option = token.trim();
    if (option === 'close') return false;
    if (option === 'keep-alive') keepAlive = true;
  }
  return keepAlive;
}

function expectsContinue(expect: string): boolean {
  if (expect === '100-continue') return true;
  throw new RequestError(417, `Expectation "${expect}" cannot be met; only 100-continue is supported.`);
}

/** Why the header line at `at` did not parse, in words the client can act on. */
function headerLineError(text: string, at: number): RequestError {
  const line = text.slice(at, text.indexOf('\r\n', at));
  const first = line.charCodeAt(0);
  if (first === 0x20 || first === 0x09) return new RequestError(400, 'Bad request: obsolete line folding in a header.');
  if (CONTROL.test(line)) return new RequestError(400, CONTROL_MESSAGE);
  return new RequestError(400, `Bad request: malformed header line ${JSON.stringify(line.slice(0, 40))}.`);
}
