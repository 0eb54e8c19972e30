import { describe, expect, it } from 'vitest';
import { clientResponseHeaders, presentedToken, upstreamRequestHeaders } from './forward-headers.js';

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

describe('clientResponseHeaders', () => {
  it('passes rate-limit, request-id and retry headers, drops hop-by-hop ones', () => {
    expect(
      clientResponseHeaders({
        'retry-after': '3',
        'request-id': 'req_1',
        'anthropic-ratelimit-requests-remaining': '10',
        'x-should-retry': 'true',
        connection: 'keep-alive',
        'transfer-encoding': 'chunked',
        'keep-alive': 'timeout=5',
        'set-cookie': ['a=1', 'b=2'],
      }),
    ).toEqual({ 'retry-after': '3', 'request-id': 'req_1', 'anthropic-ratelimit-requests-remaining': '10', 'x-should-retry': 'true', 'set-cookie': ['a=1', 'b=2'] });
  });
});

describe('presentedToken', () => {
  it('accepts x-api-key or a bearer authorization', () => {
    expect(presentedToken({ 'x-api-key': 'qcc-1' })).toBe('qcc-1');
    expect(presentedToken({ authorization: 'Bearer qcc-2' })).toBe('qcc-2');
    expect(presentedToken({ authorization: 'Basic abc' })).toBeUndefined();
    expect(presentedToken({})).toBeUndefined();
  });
});
