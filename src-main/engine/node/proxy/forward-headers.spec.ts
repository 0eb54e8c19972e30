import { describe, expect, it } from 'vitest';
import { clientResponseHead, headerRecord, presentedToken, replaceHeaders, upstreamRequestHeaders } from './forward-headers.js';

describe('upstreamRequestHeaders', () => {
  const raw = [
    'Host', '127.0.0.1:7860',
    'X-Api-Key', 'qcc-local-token',
    'anthropic-version', '2023-06-01',
    'anthropic-beta', 'claude-code-20250219,interleaved-thinking-2025-05-14',
    'Content-Length', '42',
    'Connection', 'keep-alive, X-Drop-Me',
    'X-Drop-Me', '1',
    'Keep-Alive', 'timeout=5',
    'x-claude-code-session-id', 'abc',
    'Accept', 'application/json',
    'Accept', 'text/event-stream',
  ];

  it('keeps anthropic and unknown headers as received and swaps the local token for the key', () => {
    expect(upstreamRequestHeaders(raw, 'sk-upstream', 'x-api-key')).toEqual([
      'anthropic-version', '2023-06-01',
      'anthropic-beta', 'claude-code-20250219,interleaved-thinking-2025-05-14',
      'x-claude-code-session-id', 'abc',
      'Accept', 'application/json',
      'Accept', 'text/event-stream',
      'x-api-key', 'sk-upstream',
    ]);
  });

  it('presents the key as a bearer token when the endpoint says so, dropping the client authorization', () => {
    const headers = upstreamRequestHeaders(['Authorization', 'Bearer qcc-local-token', 'anthropic-version', '2023-06-01'], 'sk-relay', 'bearer');
    expect(headers).toEqual(['anthropic-version', '2023-06-01', 'authorization', 'Bearer sk-relay']);
  });
});

describe('clientResponseHead', () => {
  it('passes rate-limit, request-id and retry headers in order, drops hop-by-hop ones', () => {
    const head = clientResponseHead([
      'retry-after', '3',
      'request-id', 'req_1',
      'anthropic-ratelimit-requests-remaining', '10',
      'x-should-retry', 'true',
      'connection', 'keep-alive',
      'transfer-encoding', 'chunked',
      'keep-alive', 'timeout=5',
      'set-cookie', 'a=1',
      'set-cookie', 'b=2',
    ]);
    expect(head.headers).toEqual([
      'retry-after', '3',
      'request-id', 'req_1',
      'anthropic-ratelimit-requests-remaining', '10',
      'x-should-retry', 'true',
      'set-cookie', 'a=1',
      'set-cookie', 'b=2',
    ]);
  });

  it("reports content type and encoding, and drops a chained proxy's x-qcc headers", () => {
    const head = clientResponseHead(['content-type', 'text/event-stream', 'content-encoding', 'gzip', 'x-qcc-config', 'other', 'x-qcc-attempts', '2']);
    expect(head).toEqual({ headers: ['content-type', 'text/event-stream', 'content-encoding', 'gzip'], contentType: 'text/event-stream', contentEncoding: 'gzip' });
    expect(clientResponseHead([]).headers).toEqual([]);
  });
});

describe('headerRecord and replaceHeaders', () => {
  it('looks values up by lower-case name, repeated names as arrays', () => {
    expect(headerRecord(['Retry-After', '7', 'set-cookie', 'a', 'Set-Cookie', 'b'])).toEqual({ 'retry-after': '7', 'set-cookie': ['a', 'b'] });
  });

  it('replaces headers by name, whatever their case', () => {
    expect(replaceHeaders(['Content-Length', '10', 'retry-after', '7'], new Set(['content-length']), ['content-length', '3'])).toEqual(['retry-after', '7', 'content-length', '3']);
  });
});

describe('presentedToken', () => {
  it('accepts x-api-key or a bearer authorization', () => {
    expect(presentedToken(lookup({ 'x-api-key': 'qcc-1' }))).toBe('qcc-1');
    expect(presentedToken(lookup({ authorization: 'Bearer qcc-2' }))).toBe('qcc-2');
    expect(presentedToken(lookup({ authorization: 'Basic abc' }))).toBeUndefined();
    expect(presentedToken(lookup({}))).toBeUndefined();
  });
});

function lookup(headers: Record<string, string>): { header(lowerName: string): string | undefined } {
  return { header: (name) => headers[name] };
}
