import type { EndpointSample, EndpointStatsView } from '../../../src-shared/model/health.js';
import type { AttemptOutcome } from './outcome.js';

/** Outcomes behind the success rate and p50: about an hour of idle probing, a few minutes of busy traffic. */
export const STATS_WINDOW = 100;
/** Outcomes shown in the sparkline. */
export const SPARKLINE_SAMPLES = 30;

/**
 * An endpoint's recent outcomes (live traffic and probes), for the health
 * bars. A fixed ring of the last `capacity` non-neutral outcomes: `record` is
 * on the proxy's hot path, so it is O(1) and allocates only the sample;
 * the median is computed when a view is asked for.
 */
export class EndpointStats {
  private readonly ring: (EndpointSample | undefined)[];
  /** Where the next sample goes. */
  private next = 0;
  private size = 0;
  private okInWindow = 0;
  private successes = 0;
  private failures = 0;

  constructor(
    private readonly capacity = STATS_WINDOW,
    private readonly sparkline = SPARKLINE_SAMPLES,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be an integer >= 1, got ${capacity}`);
    this.ring = new Array<EndpointSample | undefined>(capacity);
  }

  /** Counts one classified outcome at `at` (epoch ms); neutral outcomes say nothing about the endpoint. */
  record(outcome: AttemptOutcome, at: number): void {
    if (outcome.kind === 'neutral') return;
    const ok = outcome.kind === 'success';
    const latency = ok && outcome.latency_ms !== undefined && Number.isFinite(outcome.latency_ms) ? roundLatency(outcome.latency_ms) : null;
    const evicted = this.ring[this.next];
    if (evicted?.ok) this.okInWindow -= 1;
    this.ring[this.next] = { at, ok, latency_ms: latency };
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size += 1;
    if (ok) {
      this.okInWindow += 1;
      this.successes += 1;
    } else {
      this.failures += 1;
    }
  }

  /** What the dashboard shows; a fresh object each call. */
  view(): EndpointStatsView {
    const window = this.ordered();
    const latencies = window.flatMap((sample) => (sample.latency_ms === null ? [] : [sample.latency_ms]));
    return {
      success_rate: this.size === 0 ? null : this.okInWindow / this.size,
      latency_p50_ms: median(latencies),
      window: this.size,
      samples: window.slice(-this.sparkline).map((sample) => ({ ...sample })),
      total: { successes: this.successes, failures: this.failures },
    };
  }

  /** The window's samples, oldest first. */
  private ordered(): EndpointSample[] {
    const out: EndpointSample[] = [];
    const start = (this.next - this.size + this.capacity) % this.capacity;
    for (let i = 0; i < this.size; i++) out.push(this.ring[(start + i) % this.capacity] as EndpointSample);
    return out;
  }
}

/**
 * Nearest-rank median (the lower middle for an even count): always a latency
 * that was actually observed, never an average of two.
 */
function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = values.sort((a, b) => a - b);
  return sorted[Math.ceil(sorted.length / 2) - 1] as number;
}

/** 0.1 ms is finer than any upstream's jitter; more digits only bloat snapshots. */
function roundLatency(ms: number): number {
  return Math.round(Math.max(ms, 0) * 10) / 10;
}
