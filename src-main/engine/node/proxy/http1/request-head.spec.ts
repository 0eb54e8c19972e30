import { describe, expect, it } from 'vitest';
import { CHUNKED, RequestError, parseRequestHead, type RequestHead } from './request-head.js';

// The strict request-head parser: what it accepts, and the status every refusal carries.
// Heads are given as the connection hands them over: CRLF lines, without the final blank line.

function head(...lines: string[]): string {
  return lines.join('\r\n');
}

/** The RequestError `text` is refused with (fails the test if it parses). */
function refusal(text: string): RequestError {
  try {
    parseRequestHead(text);
  } catch (error) {
    expect(error).toBeInstanceOf(RequestError);
    return error as RequestError;
  }
  throw new Error(`accepted a head that should be refused: ${JSON.stringify(text)}`);
}

function parse(...lines: string[]): RequestHead {
  return parseRequestHead(head(...lines));
}

describe('parseRequestHead: well-formed requests', () => {
  it('reads method, target with its query as received, and version', () => {
    expect(parse('POST /v1/messages?beta=true&x=%20y HTTP/1.1', 'Host: 127.0.0.1:8080')).toEqual({
      method: 'POST',
      target: '/v1/messages?beta=true&x=%20y',
      minorVersion: 1,
      rawHeaders: ['Host', '127.0.0.1:8080'],
      bodyLength: 0,
      keepAlive: true,
      expectContinue: false,
    });
  });

  it('keeps raw header names with their case, their order and their duplicates', () => {
    const parsed = parse('GET / HTTP/1.1', 'X-Custom: a', 'host: h', 'anthropic-beta: one', 'Anthropic-Beta: two', 'x-EMPTY:');
    expect(parsed.rawHeaders).toEqual(['X-Custom', 'a', 'host', 'h', 'anthropic-beta', 'one', 'Anthropic-Beta', 'two', 'x-EMPTY', '']);
  });

  it('trims spaces and tabs around a value but keeps those inside it', () => {
    expect(parse('GET / HTTP/1.1', 'Host: h', 'X-A: \t  two  words \t ').rawHeaders).toEqual(['Host', 'h', 'X-A', 'two  words']);
    expect(parse('GET / HTTP/1.1', 'Host:h', 'X-B:v').rawHeaders).toEqual(['Host', 'h', 'X-B', 'v']);
  });

  it('keeps latin1 bytes (obs-text) in values', () => {
    expect(parse('GET / HTTP/1.1', 'Host: h', 'X-Name: caf\xe9').rawHeaders[3]).toBe('caf\xe9');
  });

  it('HTTP/1.1 keeps the connection alive unless Connection says close', () => {
    expect(parse('GET / HTTP/1.1', 'Host: h').keepAlive).toBe(true);
    expect(parse('GET / HTTP/1.1', 'Host: h', 'Connection: close').keepAlive).toBe(false);
    expect(parse('GET / HTTP/1.1', 'Host: h', 'Connection: Upgrade, CLOSE').keepAlive).toBe(false);
    expect(parse('GET / HTTP/1.1', 'Host: h', 'Connection: keep-alive').keepAlive).toBe(true);
    // Two Connection headers are one list: a close in either wins.
    expect(parse('GET / HTTP/1.1', 'Host: h', 'Connection: keep-alive', 'connection: close').keepAlive).toBe(false);
  });

  it('HTTP/1.0 closes unless Connection asks for keep-alive, and needs no Host', () => {
    const plain = parse('GET /x HTTP/1.0');
    expect(plain).toMatchObject({ minorVersion: 0, keepAlive: false, rawHeaders: [] });
    expect(parse('GET / HTTP/1.0', 'Connection: Keep-Alive').keepAlive).toBe(true);
    expect(parse('GET / HTTP/1.0', 'Connection: keep-alive, close').keepAlive).toBe(false);
  });

  it('reads Content-Length as the body length', () => {
    expect(parse('POST / HTTP/1.1', 'Host: h', 'Content-Length: 52341').bodyLength).toBe(52341);
    expect(parse('POST / HTTP/1.1', 'Host: h', 'content-length: 0').bodyLength).toBe(0);
    expect(parse('POST / HTTP/1.0', 'Content-Length: 7').bodyLength).toBe(7);
  });

  it('accepts a repeated Content-Length when every value is the same', () => {
    expect(parse('POST / HTTP/1.1', 'Host: h', 'Content-Length: 12', 'content-length: 12').bodyLength).toBe(12);
    expect(parse('POST / HTTP/1.1', 'Host: h', 'Content-Length: 12, 12 ,12').bodyLength).toBe(12);
  });

  it('reads Transfer-Encoding: chunked, in any case, as a chunked body', () => {
    expect(parse('POST / HTTP/1.1', 'Host: h', 'Transfer-Encoding: chunked').bodyLength).toBe(CHUNKED);
    expect(parse('POST / HTTP/1.1', 'Host: h', 'transfer-encoding: Chunked').bodyLength).toBe(CHUNKED);
  });

  it('flags Expect: 100-continue, in any case', () => {
    expect(parse('POST / HTTP/1.1', 'Host: h', 'Content-Length: 3', 'Expect: 100-continue').expectContinue).toBe(true);
    expect(parse('POST / HTTP/1.1', 'Host: h', 'expect: 100-Continue').expectContinue).toBe(true);
    expect(parse('POST / HTTP/1.1', 'Host: h').expectContinue).toBe(false);
  });

  it('ignores Expect in an HTTP/1.0 request (RFC 9110 §10.1.1: a 1.0 client gets no 1xx)', () => {
    expect(parse('POST / HTTP/1.0', 'Content-Length: 3', 'Expect: 100-continue').expectContinue).toBe(false);
    expect(parse('POST / HTTP/1.0', 'Content-Length: 3', 'Expect: something-else').expectContinue).toBe(false);
  });

  it('accepts any token as a method (the handler decides what it serves)', () => {
    expect(parse('PROPFIND /a HTTP/1.1', 'Host: h').method).toBe('PROPFIND');
  });
});

describe('parseRequestHead: refusals', () => {
  it.each([
    ['a bare LF between headers', 'GET / HTTP/1.1\r\nHost: h\nX-A: b'],
    ['a bare LF after the request line', 'GET / HTTP/1.1\nHost: h'],
    ['a lone CR', 'GET / HTTP/1.1\r\nHost: h\rX-A: b'],
    ['a lone CR at the end', 'GET / HTTP/1.1\r\nHost: h\r'],
    ['a NUL in a value', 'GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x00b'],
    ['a NUL in the target', 'GET /a\x00 HTTP/1.1\r\nHost: h'],
    ['an escape character', 'GET / HTTP/1.1\r\nHost: h\r\nX-A: \x1b[31m'],
    ['a vertical tab', 'GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x0bb'],
    ['a form feed', 'GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x0cb'],
    ['DEL', 'GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x7f'],
  ])('refuses %s with 400', (_name, text) => {
    const error = refusal(text);
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/control character|CRLF/);
  });

  it.each([
    ['no version', 'GET /'],
    ['two spaces after the method', 'GET  / HTTP/1.1'],
    ['a trailing space', 'GET / HTTP/1.1 '],
    ['a lower-case protocol', 'GET / http/1.1'],
    ['a tab as separator', 'GET\t/ HTTP/1.1'],
    ['a method that is not a token', 'G(T / HTTP/1.1'],
    ['an empty request line', ''],
    ['a version without minor', 'GET / HTTP/1'],
    ['a two-digit version', 'GET / HTTP/1.10'],
  ])('refuses a malformed request line (%s) with 400', (_name, line) => {
    const error = refusal(head(line, 'Host: h'));
    expect(error.status).toBe(400);
    expect(error.message).toContain('request line');
  });

  it.each(['HTTP/2.0', 'HTTP/1.2', 'HTTP/0.9', 'HTTP/3.1'])('refuses %s with 505', (version) => {
    expect(refusal(head(`GET / ${version}`, 'Host: h')).status).toBe(505);
  });

  it('refuses CONNECT with 501', () => {
    expect(refusal(head('CONNECT api.anthropic.com:443 HTTP/1.1', 'Host: api.anthropic.com:443')).status).toBe(501);
  });

  it.each([
    ['absolute form', 'http://api.anthropic.com/v1/messages'],
    ['asterisk form', '*'],
    ['authority form', 'example.com:80'],
    ['a relative path', 'v1/messages'],
  ])('refuses a target in %s with 400', (_name, target) => {
    const error = refusal(head(`OPTIONS ${target} HTTP/1.1`, 'Host: h'));
    expect(error.status).toBe(400);
    expect(error.message).toContain('target');
  });

  it.each([
    ['a space', 'X-A: one\r\n two'],
    ['a tab', 'X-A: one\r\n\ttwo'],
  ])('refuses obsolete line folding with %s with 400', (_name, fold) => {
    const error = refusal(head('GET / HTTP/1.1', 'Host: h', fold));
    expect(error.status).toBe(400);
    expect(error.message).toContain('folding');
  });

  it.each([
    ['a space before the colon', 'Host : h'],
    ['a tab before the colon', 'X-A\t: v'],
    ['an empty name', ': v'],
    ['no colon', 'X-A v'],
    ['a name that is not a token', 'X(A): v'],
    ['an empty line inside the head', ''],
  ])('refuses a header line with %s with 400', (_name, line) => {
    const error = refusal(head('GET / HTTP/1.1', 'X-First: 1', line, 'Host: h'));
    expect(error.status).toBe(400);
    expect(error.message).toContain('malformed header');
  });

  it('refuses an HTTP/1.1 request without Host, or with two, with 400', () => {
    expect(refusal(head('GET / HTTP/1.1', 'X-A: b'))).toMatchObject({ status: 400, message: expect.stringContaining('requires a Host') });
    expect(refusal(head('GET / HTTP/1.1', 'Host: a', 'HOST: b'))).toMatchObject({ status: 400, message: expect.stringContaining('more than one Host') });
    expect(refusal(head('GET / HTTP/1.1', 'Host: a', 'host: a'))).toMatchObject({ status: 400 });
  });

  it('refuses Content-Length together with Transfer-Encoding with 400, in either order', () => {
    expect(refusal(head('POST / HTTP/1.1', 'Host: h', 'Content-Length: 5', 'Transfer-Encoding: chunked')).status).toBe(400);
    expect(refusal(head('POST / HTTP/1.1', 'Host: h', 'Transfer-Encoding: chunked', 'Content-Length: 5')).status).toBe(400);
  });

  it('refuses Transfer-Encoding in an HTTP/1.0 request with 400', () => {
    expect(refusal(head('POST / HTTP/1.0', 'Transfer-Encoding: chunked'))).toMatchObject({ status: 400, message: expect.stringContaining('HTTP/1.0') });
  });

  it.each(['gzip', 'chunked, gzip', 'chunked;q=1', 'identity', ''])('refuses Transfer-Encoding "%s" (not ending in chunked) with 400', (coding) => {
    expect(refusal(head('POST / HTTP/1.1', 'Host: h', `Transfer-Encoding: ${coding}`)).status).toBe(400);
  });

  it('refuses chunked after another coding with 501, also when the codings come in two headers', () => {
    expect(refusal(head('POST / HTTP/1.1', 'Host: h', 'Transfer-Encoding: gzip, chunked')).status).toBe(501);
    expect(refusal(head('POST / HTTP/1.1', 'Host: h', 'Transfer-Encoding: gzip', 'Transfer-Encoding: chunked')).status).toBe(501);
    expect(refusal(head('POST / HTTP/1.1', 'Host: h', 'Transfer-Encoding: chunked', 'Transfer-Encoding: chunked')).status).toBe(501);
  });

  it.each([
    ['conflicting values in one header', ['Content-Length: 5, 6']],
    ['conflicting headers', ['Content-Length: 5', 'Content-Length: 6']],
    ['a non-numeric value', ['Content-Length: five']],
    ['a hex value', ['Content-Length: 0x10']],
    ['a signed value', ['Content-Length: +5']],
    ['a negative value', ['Content-Length: -1']],
    ['a fraction', ['Content-Length: 1.5']],
    ['an empty value', ['Content-Length:']],
    ['an empty list member', ['Content-Length: 5,']],
    ['a value beyond 15 digits', ['Content-Length: 1000000000000000']],
    ['digits with a space inside', ['Content-Length: 1 2']],
  ])('refuses Content-Length with %s with 400', (_name, lines) => {
    const error = refusal(head('POST / HTTP/1.1', 'Host: h', ...lines));
    expect(error.status).toBe(400);
    expect(error.message).toContain('Content-Length');
  });

  it('tells the request log the method and target of a request refused after its request line, and only then', () => {
    expect(refusal(head('POST /v1/messages?beta=true HTTP/1.1', 'Host: h', 'Content-Length: x')).requestLine).toEqual({ method: 'POST', target: '/v1/messages?beta=true' });
    expect(refusal(head('GET /a HTTP/1.1')).requestLine).toEqual({ method: 'GET', target: '/a' });
    expect(refusal(head('GET / HTTP/2.0', 'Host: h')).requestLine).toBeNull();
    expect(refusal(head('GET http://x/ HTTP/1.1', 'Host: h')).requestLine).toBeNull();
    expect(refusal('GET / HTTP/1.1\r\nHost: h\nX: y').requestLine).toEqual({ method: 'GET', target: '/' }); // a bad header line comes after a good request line
    expect(refusal('GET /\n HTTP/1.1\r\nHost: h').requestLine).toBeNull();
  });

  it.each(['100-continue-please', 'something', '200-ok'])('refuses Expect "%s" with 417', (expectation) => {
    expect(refusal(head('POST / HTTP/1.1', 'Host: h', `Expect: ${expectation}`)).status).toBe(417);
  });
});
