import { describe, expect, it } from 'vitest';
import { classifyResponse, describeTransportError, rateLimitWaitMs } from './classify-response.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

// architecture.md §4.2, row by row.
describe('classifyResponse', () => {
  it.each([200, 201, 204, 304])('commits %i', (status) => {
    expect(classifyResponse(status, {}, NOW)).toEqual({ action: 'commit' });
  });

  it.each([500, 502, 503, 504, 529])('fails over on %i', (status) => {
    expect(classifyResponse(status, {}, NOW)).toMatchObject({ action: 'next', outcome: { kind: 'failure', status } });
  });

  it('names 529 as overloaded', () => {
    expect(classifyResponse(529, {}, NOW)).toMatchObject({ outcome: { detail: 'HTTP 529 overloaded' } });
  });

  it.each([401, 403])('treats %i as a rejected key', (status) => {
    expect(classifyResponse(status, {}, NOW)).toEqual({ action: 'next', outcome: { kind: 'credential_rejected', status } });
  });

  it('ejects a 429 until retry-after', () => {
    expect(classifyResponse(429, { 'retry-after': '17' }, NOW)).toMatchObject({ action: 'next', outcome: { kind: 'rate_limited', retry_after_ms: 17_000 } });
    expect(classifyResponse(429, {}, NOW)).toEqual({ action: 'next', outcome: { kind: 'rate_limited', detail: 'rate limited (429)' } });
  });

  it.each([400, 404, 405, 413, 422, 409])("passes the client's own %i through without penalty", (status) => {
    expect(classifyResponse(status, {}, NOW)).toEqual({ action: 'pass_through' });
  });
});

describe('rateLimitWaitMs', () => {
  it('reads retry-after as seconds or as an HTTP date', () => {
    expect(rateLimitWaitMs({ 'retry-after': '2.5' }, NOW)).toBe(2_500);
    expect(rateLimitWaitMs({ 'retry-after': new Date(NOW + 90_000).toUTCString() }, NOW)).toBe(90_000);
  });

  it("falls back to Anthropic's requests-reset header", () => {
    expect(rateLimitWaitMs({ 'anthropic-ratelimit-requests-reset': new Date(NOW + 42_000).toISOString() }, NOW)).toBe(42_000);
  });

  it('clamps nonsense: past dates to 0, far futures to an hour, garbage to unknown', () => {
    expect(rateLimitWaitMs({ 'retry-after': new Date(NOW - 5_000).toUTCString() }, NOW)).toBe(0);
    expect(rateLimitWaitMs({ 'retry-after': '999999' }, NOW)).toBe(3_600_000);
    expect(rateLimitWaitMs({ 'retry-after': 'soon' }, NOW)).toBeUndefined();
  });
});

describe('describeTransportError', () => {
  it('turns undici and socket errors into short, key-free details', () => {
    expect(describeTransportError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
    expect(describeTransportError(Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' }))).toMatch(/first-byte timeout/);
    expect(describeTransportError(Object.assign(new Error('x'), { code: 'UND_ERR_CONNECT_TIMEOUT' }))).toBe('connect timeout');
  });
});
