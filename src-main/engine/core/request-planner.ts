import { endpointCanServe, type Config, type Endpoint } from '../../../src-shared/model/config.js';
import type { FailoverPolicy } from '../../../src-shared/model/policy.js';
import type { EndpointBreaker } from './endpoint-breaker.js';

/** One upstream to try for a request. Holds the key: it never leaves the main process. */
export interface Candidate {
  config: string;
  endpoint: Endpoint;
  /** True in panic mode: every candidate endpoint was ejected, so this one is tried anyway. */
  panic: boolean;
}

export interface PlannerView {
  active: string | null;
  /** Serving configs, best first. */
  order: readonly string[];
  policy: FailoverPolicy;
  config(name: string): Config | undefined;
  breaker(config: string, endpointId: string): EndpointBreaker;
}

/** The candidates for a request, and how long they stay right by themselves. */
export interface CandidatePlan {
  candidates: Candidate[];
  /**
   * The first moment (epoch ms) an ejection seen while planning ends with
   * time alone, a change no event announces: from then on the candidates may
   * differ. Infinity when no such ejection was seen.
   */
  validUntil: number;
}

/**
 * The ordered candidates for one request (architecture.md §4.3 steps 1 and 5):
 * the active config's endpoints, then every other serving config in tier
 * order (only the active one with auto_failover off). Within a config, closed
 * endpoints come before half-open ones; ejected ones are skipped. If that
 * leaves nothing, every ejected endpoint is tried anyway, least recently
 * failed first (panic mode). Capped at max_attempts_per_request.
 */
export function planCandidates(view: PlannerView): Candidate[] {
  return planRequest(view).candidates;
}

/** planCandidates, plus until when its answer holds if nothing but time moves (the engine keeps it that long). */
export function planRequest(view: PlannerView): CandidatePlan {
  const configs = candidateConfigs(view);
  const live: Candidate[] = [];
  const ejected: { candidate: Candidate; lastFailure: number }[] = [];
  let validUntil = Infinity;

  for (const config of configs) {
    const halfOpen: Candidate[] = [];
    for (const endpoint of config.endpoints) {
      if (!endpointCanServe(endpoint)) continue;
      const breaker = view.breaker(config.name, endpoint.id);
      const state = breaker.state;
      if (state === 'closed') live.push({ config: config.name, endpoint, panic: false });
      else if (state === 'half_open') halfOpen.push({ config: config.name, endpoint, panic: false });
      else {
        ejected.push({ candidate: { config: config.name, endpoint, panic: true }, lastFailure: breaker.lastFailureAt ?? 0 });
        validUntil = Math.min(validUntil, breaker.ejectionEndsAt ?? Infinity);
      }
    }
    live.push(...halfOpen);
  }

  const limit = view.policy.max_attempts_per_request;
  if (live.length > 0) return { candidates: live.slice(0, limit), validUntil };
  const candidates = ejected
    .sort((a, b) => a.lastFailure - b.lastFailure)
    .slice(0, limit)
    .map((entry) => entry.candidate);
  return { candidates, validUntil };
}

function candidateConfigs(view: PlannerView): Config[] {
  // An active config that no longer serves (disabled, or its tier turned off) never gets traffic,
  // even before the failover manager has reassigned it.
  const active = view.active !== null && view.order.includes(view.active) ? view.active : null;
  const names =
    active === null
      ? view.order
      : view.policy.auto_failover_enabled
        ? [active, ...view.order.filter((name) => name !== active)]
        : [active];
  return names.flatMap((name) => view.config(name) ?? []);
}
