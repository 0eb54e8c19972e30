/**
 * The result of one upstream attempt or probe, already classified by the
 * caller (architecture.md §4.2). The core never sees HTTP, only these.
 */
export type AttemptOutcome =
  /** Served; `latency_ms` to first byte when known. */
  | { kind: 'success'; latency_ms?: number }
  /** Connect error, timeout, 5xx/529, an SSE error before content, a stream cut after commit. */
  | { kind: 'failure'; detail: string; status?: number }
  /** 429: the endpoint is ejected until `retry_after_ms` from now (base ejection time if unknown). */
  | { kind: 'rate_limited'; retry_after_ms?: number; detail?: string }
  /** 401/403: the key was rejected; only a later success clears this. */
  | { kind: 'credential_rejected'; status: number; detail?: string }
  /** The client's problem (4xx) or the client went away: no health signal. */
  | { kind: 'neutral' };

/** A short human description of an outcome, for `last_error`. Never includes a key. */
export function describeOutcome(outcome: AttemptOutcome): string {
  switch (outcome.kind) {
    case 'success':
      return 'ok';
    case 'failure':
      return outcome.detail;
    case 'rate_limited':
      return outcome.detail ?? 'rate limited (429)';
    case 'credential_rejected':
      return outcome.detail ?? `key rejected (${outcome.status})`;
    case 'neutral':
      return 'no signal';
  }
}
