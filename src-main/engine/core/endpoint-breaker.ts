import type { BreakerState, EjectionCause, EndpointHealth } from '../../../src-shared/model/health.js';
import type { FailoverPolicy } from '../../../src-shared/model/policy.js';
import { describeOutcome, type AttemptOutcome } from './outcome.js';
import type { Clock } from './ports.js';

/**
 * The legal transitions, in one place (resilience4j's state machine table).
 * `open → closed` is legal because a success seen while open (panic-mode
 * traffic, or a probe clearing a rejected key) proves the endpoint serves.
 */
const LEGAL_TRANSITIONS: Readonly<Record<BreakerState, readonly BreakerState[]>> = {
  closed: ['open'],
  open: ['half_open', 'closed'],
  half_open: ['closed', 'open'],
};

export function isLegalTransition(from: BreakerState, to: BreakerState): boolean {
  return LEGAL_TRANSITIONS[from].includes(to);
}

export interface BreakerTransitionEvent {
  from: BreakerState;
  to: BreakerState;
  cause: EjectionCause | null;
  at: number;
}

export type BreakerListener = (event: BreakerTransitionEvent) => void;

/**
 * Health of one endpoint, Envoy outlier-detection style: `failure_threshold`
 * consecutive failures eject it (open) for base × n seconds (capped), where n
 * counts ejections in a row; after that it is half-open and the next outcome
 * decides. A 429 ejects until its retry-after; a 401/403 ejects and flags the
 * key until a success, whatever the time.
 */
export class EndpointBreaker {
  private current: BreakerState = 'closed';
  private cause: EjectionCause | null = null;
  private ejectedUntil: number | null = null;
  private ejectionCount = 0;
  private lastClosedAt: number | null = null;
  private credentialRejected = false;
  private consecutiveFailures = 0;
  private consecutiveSuccesses = 0;
  private lastError: string | null = null;
  private lastFailure: number | null = null;
  private lastSuccess: number | null = null;
  private readonly listeners = new Set<BreakerListener>();

  constructor(private readonly clock: Clock) {}

  /** Current state; an expired ejection turns half-open when read. */
  get state(): BreakerState {
    this.expireEjection();
    return this.current;
  }

  /** Ejected: open, not yet half-open. Ejected endpoints are skipped unless nothing else is left. */
  get isEjected(): boolean {
    return this.state === 'open';
  }

  /** Whether the endpoint has produced any signal yet. */
  get hasSignal(): boolean {
    return this.lastFailure !== null || this.lastSuccess !== null;
  }

  get lastFailureAt(): number | null {
    return this.lastFailure;
  }

  /**
   * When the current ejection ends by itself (epoch ms): null when the
   * endpoint is not ejected, or when only a success ends it (a rejected key).
   * Does not expire the ejection: read `state` first.
   */
  get ejectionEndsAt(): number | null {
    return this.current === 'open' ? this.ejectedUntil : null;
  }

  get isCredentialRejected(): boolean {
    return this.credentialRejected;
  }

  /** Subscribes to transitions; returns an unsubscribe function. */
  onTransition(listener: BreakerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Feeds one classified outcome (live traffic or a probe) into the machine. */
  record(outcome: AttemptOutcome, policy: FailoverPolicy): void {
    this.expireEjection();
    const now = this.clock.now();
    switch (outcome.kind) {
      case 'neutral':
        return;
      case 'success':
        this.consecutiveSuccesses += 1;
        this.consecutiveFailures = 0;
        this.lastSuccess = now;
        this.credentialRejected = false;
        if (this.current !== 'closed') this.close(now);
        return;
      case 'failure':
        this.noteFailure(outcome, now);
        if (this.current === 'half_open' || (this.current === 'closed' && this.consecutiveFailures >= policy.failure_threshold)) {
          this.eject('failures', now + this.nextEjectionMs(policy, now), now);
        }
        return;
      case 'rate_limited': {
        this.noteFailure(outcome, now);
        const until = now + (outcome.retry_after_ms ?? policy.ejection_base_time * 1_000);
        if (this.current === 'open') {
          // Already out; honour the longer of the two waits.
          if (this.ejectedUntil !== null) this.ejectedUntil = Math.max(this.ejectedUntil, until);
          this.cause = this.credentialRejected ? 'credential_rejected' : 'rate_limited';
        } else {
          this.eject('rate_limited', until, now);
        }
        return;
      }
      case 'credential_rejected':
        this.noteFailure(outcome, now);
        this.credentialRejected = true;
        if (this.current === 'open') {
          this.cause = 'credential_rejected';
          this.ejectedUntil = null;
        } else {
          this.eject('credential_rejected', null, now);
        }
        return;
    }
  }

  /** What the UI and CLI see. */
  health(): EndpointHealth {
    return {
      state: this.state,
      ejection_cause: this.current === 'open' ? this.cause : null,
      ejected_until: this.current === 'open' ? this.ejectedUntil : null,
      ejection_count: this.ejectionCount,
      credential_rejected: this.credentialRejected,
      consecutive_failures: this.consecutiveFailures,
      consecutive_successes: this.consecutiveSuccesses,
      last_error: this.lastError,
      last_failure: this.lastFailure,
      last_success: this.lastSuccess,
    };
  }

  private noteFailure(outcome: AttemptOutcome, now: number): void {
    this.consecutiveFailures += 1;
    this.consecutiveSuccesses = 0;
    this.lastFailure = now;
    this.lastError = describeOutcome(outcome);
  }

  /**
   * base × n, capped. n grows while ejections follow each other, and starts
   * over once the endpoint has stayed closed longer than the cap.
   */
  private nextEjectionMs(policy: FailoverPolicy, now: number): number {
    const maxMs = policy.ejection_max_time * 1_000;
    const calmSinceLastEjection = this.lastClosedAt !== null && now - this.lastClosedAt > maxMs;
    const n = calmSinceLastEjection ? 1 : this.ejectionCount + 1;
    this.ejectionCount = n;
    return Math.min(policy.ejection_base_time * 1_000 * n, maxMs);
  }

  private eject(cause: EjectionCause, until: number | null, now: number): void {
    this.cause = cause;
    this.ejectedUntil = until;
    this.transition('open', cause, now);
  }

  private close(now: number): void {
    this.cause = null;
    this.ejectedUntil = null;
    this.lastClosedAt = now;
    this.transition('closed', null, now);
  }

  private expireEjection(): void {
    if (this.current !== 'open' || this.ejectedUntil === null) return;
    const now = this.clock.now();
    if (now >= this.ejectedUntil) this.transition('half_open', this.cause, now);
  }

  private transition(to: BreakerState, cause: EjectionCause | null, at: number): void {
    const from = this.current;
    if (!isLegalTransition(from, to)) {
      throw new Error(`illegal breaker transition ${from} → ${to}`);
    }
    this.current = to;
    const event: BreakerTransitionEvent = { from, to, cause, at };
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A listener must not be able to break the machine (resilience4j's rule).
      }
    }
  }
}
