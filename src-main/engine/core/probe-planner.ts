import { endpointCanServe, type Config, type Endpoint } from '../../../src-shared/model/config.js';
import type { EndpointHealth } from '../../../src-shared/model/health.js';
import type { FailoverPolicy } from '../../../src-shared/model/policy.js';
import type { AttemptOutcome } from './outcome.js';
import type { ProbeTarget } from './ports.js';

/** What the planner needs to know about the world at one periodic check. */
export interface ProbePlanView {
  /** Serving configs, best first. */
  order: readonly string[];
  policy: FailoverPolicy;
  /** Epoch ms. */
  now: number;
  config(name: string): Config | undefined;
  health(config: string, endpointId: string): EndpointHealth;
  /** When live traffic (not a probe) last succeeded on the endpoint, epoch ms. */
  lastTrafficSuccess(config: string, endpointId: string): number | null;
}

/**
 * The endpoints one periodic health check should probe (architecture.md
 * §4.5): every enabled endpoint of every serving config, except
 * - one that served live traffic successfully within `check_interval` and has
 *   not failed since: the traffic already answered the question;
 * - one ejected until a time still in the future: it is probed when that
 *   ejection expires (it turns half-open), not before.
 * A rejected key (open with no end) is probed every check, since only a
 * success clears it; a half-open endpoint is probed, since its next outcome decides.
 */
export function planProbes(view: ProbePlanView): ProbeTarget[] {
  const intervalMs = view.policy.check_interval * 1_000;
  const targets: ProbeTarget[] = [];
  for (const name of view.order) {
    const config = view.config(name);
    if (!config) continue;
    for (const endpoint of config.endpoints) {
      if (!endpointCanServe(endpoint)) continue;
      const due = isProbeDue(view.health(name, endpoint.id), view.lastTrafficSuccess(name, endpoint.id), view.now, intervalMs);
      if (due) targets.push(probeTargetOf(config, endpoint, view.policy));
    }
  }
  return targets;
}

/** The per-endpoint rule of {@link planProbes}. */
export function isProbeDue(health: EndpointHealth, lastTrafficSuccess: number | null, now: number, intervalMs: number): boolean {
  switch (health.state) {
    case 'half_open':
      return true;
    case 'open':
      return health.ejected_until === null || health.ejected_until <= now;
    case 'closed': {
      const servedRecently = lastTrafficSuccess !== null && now - lastTrafficSuccess < intervalMs;
      return !(servedRecently && health.consecutive_failures === 0);
    }
  }
}

/** Every enabled endpoint of the given configs, no rule applied (`health:check-now`). */
export function allProbeTargets(configs: readonly Config[], policy: FailoverPolicy): ProbeTarget[] {
  return configs.flatMap((config) => config.endpoints.filter(endpointCanServe).map((endpoint) => probeTargetOf(config, endpoint, policy)));
}

export function probeTargetOf(config: Config, endpoint: Endpoint, policy: FailoverPolicy): ProbeTarget {
  return { config: config.name, endpoint, message_probe: config.message_probe, policy };
}

/** Probes running at once by default: enough to check dozens of endpoints in a few round trips, few enough to be polite. */
export const PROBE_CONCURRENCY = 8;

export interface ProbeRunOptions {
  /** Probes in flight at once; default {@link PROBE_CONCURRENCY}. */
  concurrency?: number;
  /** Checked before each probe starts: true stops the run (probes already started finish). */
  cancelled?: () => boolean;
}

/**
 * Probes `targets` with bounded concurrency and hands each outcome to
 * `record` as it arrives. A prober that throws yields a failure outcome, so
 * one broken probe cannot hide the others. Resolves when every started probe
 * has been recorded. Pure: only promises, no timers.
 */
export async function runProbes(
  targets: readonly ProbeTarget[],
  probe: (target: ProbeTarget) => Promise<AttemptOutcome>,
  record: (target: ProbeTarget, outcome: AttemptOutcome) => void,
  options: ProbeRunOptions = {},
): Promise<void> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? PROBE_CONCURRENCY));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < targets.length && !options.cancelled?.()) {
      const target = targets[next++] as ProbeTarget;
      let outcome: AttemptOutcome;
      try {
        outcome = await probe(target);
      } catch (error) {
        outcome = { kind: 'failure', detail: `probe failed: ${error instanceof Error ? error.message : String(error)}` };
      }
      try {
        record(target, outcome);
      } catch {
        // A recorder bug must not stop the remaining probes.
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, worker));
}
