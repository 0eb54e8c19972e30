import type { AttemptOutcome } from '../../core/outcome.js';

/** What the proxy does with an upstream response (architecture.md §4.2). */
export type ResponseVerdict =
  /** Good status: commit (for a stream, after its first event passes). */
  | { action: 'commit' }
  /** The client's own problem (400, 404, 413, 422, other 4xx): pass through, no health penalty. */
  | { action: 'pass_through' }
  /** This upstream failed: report the outcome and try the next candidate. */
  | { action: 'next'; outcome: AttemptOutcome };

type Headers = Record<string, string | string[] | undefined>;

/** Longest ejection a rate-limit header may ask for; beyond that it is more likely a bad clock. */
const MAX_RATE_LIMIT_WAIT_MS = 3_600_000;

/** Classifies an upstream status per the failover table. `now` is epoch ms, for HTTP-date headers. */
export function classifyResponse(status: number, headers: Headers, now: number): ResponseVerdict {
  if (status < 400) return COMMIT;
  if (status === 429) {
    const retryAfterMs = rateLimitWaitMs(headers, now);
    return {
      action: 'next',
      outcome: { kind: 'rate_limited', ...(retryAfterMs !== undefined ? { retry_after_ms: retryAfterMs } : {}), detail: 'rate limited (429)' },
    };
  }
  if (status === 401 || status === 403) return { action: 'next', outcome: { kind: 'credential_rejected', status } };
  if (status >= 500) {
    const detail = status === 529 ? 'HTTP 529 overloaded' : `HTTP ${status}`;
    return { action: 'next', outcome: { kind: 'failure', detail, status } };
  }
  return PASS_THROUGH;
}

// Shared: the proxy classifies every response, and these two carry no data.
const COMMIT: ResponseVerdict = Object.freeze({ action: 'commit' });
const PASS_THROUGH: ResponseVerdict = Object.freeze({ action: 'pass_through' });

/**
 * How long a 429 asks us to stay away: `retry-after` (seconds or an HTTP
 * date), else Anthropic's `anthropic-ratelimit-requests-reset` (RFC 3339).
 */
export function rateLimitWaitMs(headers: Headers, now: number): number | undefined {
  const retryAfter = single(headers['retry-after']);
  let wait: number | undefined;
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    wait = Number.isFinite(seconds) ? seconds * 1_000 : Date.parse(retryAfter) - now;
  } else {
    const reset = single(headers['anthropic-ratelimit-requests-reset']);
    if (reset !== undefined) wait = Date.parse(reset) - now;
  }
  if (wait === undefined || Number.isNaN(wait)) return undefined;
  return Math.min(Math.max(wait, 0), MAX_RATE_LIMIT_WAIT_MS);
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** A short, key-free description of a transport error (connect refused, timeouts, resets). */
export function describeTransportError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    // The proxy's upstream client (upstream/upstream-connection.ts) and undici (the prober's) say the same things.
    case 'QCC_CONNECT_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connect timeout';
    case 'QCC_HEADERS_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
      return 'no response headers within the first-byte timeout';
    case 'QCC_BODY_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'stream idle timeout';
    case 'QCC_CONNECTION_LOST':
    case 'UND_ERR_SOCKET':
      return `connection lost (${message})`;
    case 'QCC_MALFORMED_RESPONSE':
      return `malformed response (${message})`;
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ETIMEDOUT':
    case 'EPIPE':
      return `${code}`;
    default:
      return typeof code === 'string' ? `${code}: ${message}` : message;
  }
}
