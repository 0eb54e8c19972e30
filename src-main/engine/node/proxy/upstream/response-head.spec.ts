import { describe, expect, it } from 'vitest';
import { MalformedResponseError, parseResponseHead, type ResponseHeadFields } from './response-head.js';

// The upstream response-head parser: heads are given as the connection hands them over (latin1 text,
// CRLF lines, without the blank line that ends them).

function parse(method: string, ...lines: string[]): ResponseHeadFields {
  return parseResponseHead(lines.join('\r\n'), method);
}

/** The MalformedResponseError the head is refused with (fails the test if it parses). */
function refusal(method: string, ...lines: string[]): MalformedResponseError {
  try {
    parse(method, ...lines);
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect((error as MalformedResponseError).code).toBe('QCC_MALFORMED_RESPONSE');
    return error as MalformedResponseError;
  }
  throw new Error(`accepted a head that should be refused: ${JSON.stringify(lines)}`);
}

describe('parseResponseHead: status line', () => {
  it('reads the status of a well-formed HTTP/1.1 head, with every field', () => {
    expect(parse('GET', 'HTTP/1.1 200 OK', 'Content-Type: text/plain', 'Content-Length: 5')).toEqual({
      status: 200,
      headers: ['content-type', 'text/plain', 'content-length', '5'],
      framing: { kind: 'length', length: 5 },
      keepAlive: true,
      keepAliveTimeoutMs: null,
    });
  });

  it.each([
    ['HTTP/1.1 404 Not Found', 404],
    ['HTTP/1.1 529 Overloaded', 529],
    ['HTTP/1.0 503 Service Unavailable', 503],
    ['HTTP/1.1 200', 200],
    ['HTTP/1.1 200 ', 200],
    ['HTTP/1.1 418 any reason: at all \t', 418],
  ])('takes the status from %j, whatever the reason phrase', (line, status) => {
    expect(parse('GET', line, 'content-length: 0').status).toBe(status);
  });

  it.each([
    ['HTTP/1.1 20 OK'],
    ['HTTP/1.1 2000 OK'],
    ['HTTP/1.1 abc OK'],
    ['HTTP/1.1  200 OK'],
    ['HTTP/1.1 200OK'],
    ['HTTP/2 200'],
    ['HTTP/1.2 200 OK'],
    ['http/1.1 200 OK'],
    [' HTTP/1.1 200 OK'],
    ['ICY 200 OK'],
    [''],
    ['HTTP/1.1 200 OK\nX-Smuggled: 1'],
  ])('refuses the status line %j', (line) => {
    expect(refusal('GET', line).message).toMatch(/malformed status line/);
  });

  it('refuses a status below 100, which no HTTP response can have', () => {
    // Taken for a 1xx, such a head would be skipped and the client would wait for another one.
    expect(refusal('GET', 'HTTP/1.1 099 Odd', 'content-length: 0').message).toMatch(/malformed status line/);
    expect(refusal('GET', 'HTTP/1.1 000 Zero').message).toMatch(/malformed status line/);
  });
});

describe('parseResponseHead: headers', () => {
  it('lower-cases names and keeps values, order and duplicates as received', () => {
    const { headers } = parse('GET', 'HTTP/1.1 200 OK', 'X-Custom: MixedCase', 'Set-Cookie: a=1', 'content-length: 0', 'SET-COOKIE: b=2', 'x-EMPTY:');
    expect(headers).toEqual(['x-custom', 'MixedCase', 'set-cookie', 'a=1', 'content-length', '0', 'set-cookie', 'b=2', 'x-empty', '']);
  });

  it('gives an empty list for a head with no headers', () => {
    expect(parse('GET', 'HTTP/1.1 204 No Content').headers).toEqual([]);
  });

  it('trims spaces and tabs around a value but keeps those inside it', () => {
    expect(parse('GET', 'HTTP/1.1 204 No Content', 'X-A: \t  two  words \t ', 'X-B:v', 'X-C:\t').headers).toEqual(['x-a', 'two  words', 'x-b', 'v', 'x-c', '']);
  });

  it('keeps latin1 bytes (obs-text) in values as the same latin1 characters', () => {
    const bytes = Buffer.concat([Buffer.from('HTTP/1.1 204 No Content\r\nX-Name: caf'), Buffer.from([0xe9, 0xff, 0x80])]);
    const { headers } = parseResponseHead(bytes.toString('latin1'), 'GET');
    expect(headers[1]).toBe('caf\xe9\xff\x80');
    expect(Buffer.from(headers[1] as string, 'latin1')).toEqual(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0xff, 0x80]));
  });

  it('keeps a tab inside a value', () => {
    expect(parse('GET', 'HTTP/1.1 204 No Content', 'X-Tab: a\tb').headers).toEqual(['x-tab', 'a\tb']);
  });

  it.each([
    ['a name with a space', 'X Bad: v'],
    ['a space before the colon', 'X-Bad : v'],
    ['no colon', 'X-Bad'],
    ['an empty name', ': v'],
    ['a folded continuation line (obs-fold)', ' continued'],
    ['a NUL in the value', 'X-Bad: a\x00b'],
    ['a bare CR in the value', 'X-Bad: a\rb'],
    ['a bare LF in the value', 'X-Bad: a\nb'],
    ['another control character in the value', 'X-Bad: a\x1bb'],
    ['DEL in the value', 'X-Bad: a\x7fb'],
    ['a non-token character in the name', 'X-Bad(): v'],
  ])('refuses a header line with %s', (_case, line) => {
    expect(refusal('GET', 'HTTP/1.1 200 OK', 'content-length: 0', line).message).toMatch(/malformed header line/);
  });
});

describe('parseResponseHead: body framing', () => {
  it.each([
    ['HEAD', 'HTTP/1.1 200 OK', ['content-length: 100']],
    ['HEAD', 'HTTP/1.1 200 OK', ['transfer-encoding: chunked']],
    ['HEAD', 'HTTP/1.0 200 OK', []],
    ['GET', 'HTTP/1.1 100 Continue', []],
    ['GET', 'HTTP/1.1 103 Early Hints', ['link: </style.css>; rel=preload']],
    ['GET', 'HTTP/1.1 204 No Content', ['content-length: 10']],
    ['GET', 'HTTP/1.1 304 Not Modified', ['content-length: 10', 'transfer-encoding: chunked']],
  ])('a %s answered by %j has no body, whatever its headers say', (method, statusLine, headers) => {
    expect(parse(method, statusLine, ...headers).framing).toEqual({ kind: 'none' });
  });

  it('a response without a body keeps the connection', () => {
    expect(parse('HEAD', 'HTTP/1.1 200 OK').keepAlive).toBe(true);
    expect(parse('GET', 'HTTP/1.1 204 No Content').keepAlive).toBe(true);
  });

  it('reads content-length, zero included', () => {
    expect(parse('GET', 'HTTP/1.1 200 OK', 'Content-Length: 1234').framing).toEqual({ kind: 'length', length: 1234 });
    expect(parse('POST', 'HTTP/1.1 200 OK', 'Content-Length: 0').framing).toEqual({ kind: 'length', length: 0 });
    expect(parse('GET', 'HTTP/1.1 200 OK', 'Content-Length: 999999999999999').framing).toEqual({ kind: 'length', length: 999_999_999_999_999 });
  });

  it('reads chunked in any case', () => {
    expect(parse('GET', 'HTTP/1.1 200 OK', 'Transfer-Encoding: chunked').framing).toEqual({ kind: 'chunked' });
    expect(parse('GET', 'HTTP/1.1 200 OK', 'transfer-encoding: Chunked ').framing).toEqual({ kind: 'chunked' });
  });

  it('chunked beats content-length, in either order', () => {
    expect(parse('GET', 'HTTP/1.1 200 OK', 'Content-Length: 10', 'Transfer-Encoding: chunked').framing).toEqual({ kind: 'chunked' });
    expect(parse('GET', 'HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', 'Content-Length: 10').framing).toEqual({ kind: 'chunked' });
  });

  it('a body with neither length nor chunked runs to the close, and the connection cannot be kept', () => {
    const head = parse('GET', 'HTTP/1.1 200 OK', 'Content-Type: text/plain', 'Connection: keep-alive');
    expect(head.framing).toEqual({ kind: 'close' });
    expect(head.keepAlive).toBe(false);
  });

  it('accepts repeated content-lengths that agree, as separate headers or as a list', () => {
    expect(parse('GET', 'HTTP/1.1 200 OK', 'Content-Length: 5', 'content-length: 5').framing).toEqual({ kind: 'length', length: 5 });
    expect(parse('GET', 'HTTP/1.1 200 OK', 'Content-Length: 5, 5,5').framing).toEqual({ kind: 'length', length: 5 });
  });

  it.each([
    [['Content-Length: 5', 'Content-Length: 6']],
    [['Content-Length: 5, 6']],
    [['Content-Length: 5', 'Content-Length: 05']],
    [['Content-Length: -1']],
    [['Content-Length: +5']],
    [['Content-Length: 5.0']],
    [['Content-Length: 0x10']],
    [['Content-Length: ']],
    [['Content-Length: 5,']],
    [['Content-Length: 1 2']],
    [['Content-Length: 1000000000000000']],
  ])('refuses the content-length in %j', (headers) => {
    expect(refusal('GET', 'HTTP/1.1 200 OK', ...headers).message).toMatch(/invalid content-length/);
  });

  it.each([
    [['Transfer-Encoding: gzip']],
    [['Transfer-Encoding: gzip, chunked']],
    [['Transfer-Encoding: chunked, chunked']],
    [['Transfer-Encoding: chunked', 'Transfer-Encoding: chunked']],
    [['Transfer-Encoding: gzip', 'Transfer-Encoding: chunked']],
    [['Transfer-Encoding: identity']],
    [['Transfer-Encoding: ']],
    [['Transfer-Encoding: chunked;q=1']],
  ])('refuses the transfer-encoding in %j', (headers) => {
    expect(refusal('GET', 'HTTP/1.1 200 OK', ...headers).message).toMatch(/unsupported transfer-encoding/);
  });

  it('refuses a bad content-length or transfer-encoding only when a body could follow', () => {
    expect(parse('HEAD', 'HTTP/1.1 200 OK', 'Content-Length: 5', 'Content-Length: 6').framing).toEqual({ kind: 'none' });
    expect(parse('GET', 'HTTP/1.1 204 No Content', 'Transfer-Encoding: gzip').framing).toEqual({ kind: 'none' });
  });
});

describe('parseResponseHead: keep-alive', () => {
  it('HTTP/1.1 keeps the connection unless Connection says close', () => {
    expect(parse('GET', 'HTTP/1.1 200 OK', 'content-length: 0').keepAlive).toBe(true);
    expect(parse('GET', 'HTTP/1.1 200 OK', 'content-length: 0', 'Connection: close').keepAlive).toBe(false);
    expect(parse('GET', 'HTTP/1.1 200 OK', 'content-length: 0', 'Connection: Upgrade, CLOSE').keepAlive).toBe(false);
    expect(parse('GET', 'HTTP/1.1 200 OK', 'content-length: 0', 'Connection: keep-alive').keepAlive).toBe(true);
  });

  it('two Connection headers are one list: a close in either wins', () => {
    expect(parse('GET', 'HTTP/1.1 200 OK', 'content-length: 0', 'Connection: keep-alive', 'connection: close').keepAlive).toBe(false);
    expect(parse('GET', 'HTTP/1.1 200 OK', 'content-length: 0', 'Connection: close', 'connection: keep-alive').keepAlive).toBe(false);
  });

  it('a Connection token must match whole: "closed" or "x-close" is not close', () => {
    expect(parse('GET', 'HTTP/1.1 200 OK', 'content-length: 0', 'Connection: closed, x-close').keepAlive).toBe(true);
  });

  it('HTTP/1.0 closes unless Connection says keep-alive', () => {
    expect(parse('GET', 'HTTP/1.0 200 OK', 'content-length: 0').keepAlive).toBe(false);
    expect(parse('GET', 'HTTP/1.0 200 OK', 'content-length: 0', 'Connection: Keep-Alive').keepAlive).toBe(true);
    expect(parse('GET', 'HTTP/1.0 200 OK', 'content-length: 0', 'Connection: keep-alive, close').keepAlive).toBe(false);
  });

  it('a close-delimited body never keeps the connection, on either version', () => {
    expect(parse('GET', 'HTTP/1.0 200 OK', 'Connection: keep-alive').keepAlive).toBe(false);
    expect(parse('GET', 'HTTP/1.1 200 OK').keepAlive).toBe(false);
  });

  it('a chunked body keeps an HTTP/1.1 connection', () => {
    expect(parse('GET', 'HTTP/1.1 200 OK', 'transfer-encoding: chunked').keepAlive).toBe(true);
  });
});

describe('parseResponseHead: the Keep-Alive timeout hint', () => {
  it.each([
    ['timeout=5', 5_000],
    ['timeout=5, max=100', 5_000],
    ['max=100, timeout=2', 2_000],
    ['max=100,timeout=2', 2_000],
    ['Timeout=7', 7_000],
    ['timeout=0', 0],
    ['timeout=999999', 999_999_000],
  ])('reads %j as %i ms', (value, ms) => {
    expect(parse('GET', 'HTTP/1.1 200 OK', 'content-length: 0', `Keep-Alive: ${value}`).keepAliveTimeoutMs).toBe(ms);
  });

  it.each([['max=100'], ['timeout='], ['timeout=abc'], ['timeout="5"'], ['timeout=5s'], ['xtimeout=5'], ['timeout=1234567'], ['']])('ignores the unreadable hint %j', (value) => {
    expect(parse('GET', 'HTTP/1.1 200 OK', 'content-length: 0', `Keep-Alive: ${value}`).keepAliveTimeoutMs).toBeNull();
  });

  it('is null without a Keep-Alive header, and the last Keep-Alive header counts', () => {
    expect(parse('GET', 'HTTP/1.1 200 OK', 'content-length: 0').keepAliveTimeoutMs).toBeNull();
    expect(parse('GET', 'HTTP/1.1 200 OK', 'content-length: 0', 'Keep-Alive: timeout=9', 'keep-alive: timeout=3').keepAliveTimeoutMs).toBe(3_000);
  });

  it('is kept in the header list like any other header', () => {
    expect(parse('GET', 'HTTP/1.1 200 OK', 'Keep-Alive: timeout=5', 'content-length: 0').headers).toEqual(['keep-alive', 'timeout=5', 'content-length', '0']);
  });
});
