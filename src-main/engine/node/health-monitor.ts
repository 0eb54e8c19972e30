import type { EngineSnapshot } from '../../../src-shared/contract/snapshot.js';
import type { EngineEvents } from '../../../src-shared/contract/events.js';
import type { FailoverPolicy } from '../../../src-shared/model/policy.js';
import type { OutcomeSource } from '../core/engine.js';
import type { AttemptOutcome } from '../core/outcome.js';
import type { Prober, ProbeTarget } from '../core/ports.js';
import { PROBE_CONCURRENCY, runProbes } from '../core/probe-planner.js';

/** What the monitor needs from the engine. */
export interface MonitoredEngine {
  readonly policy: Readonly<FailoverPolicy>;
  probeTargets(): ProbeTarget[];
  probeTarget(config: string, endpointId: string): ProbeTarget | null;
  recordOutcome(config: string, endpointId: string, outcome: AttemptOutcome, source?: OutcomeSource): void;
  tick(): void;
  on<E extends keyof EngineEvents>(event: E, listener: (payload: EngineEvents[E]) => void): () => void;
}

/** The timer functions the monitor uses; the globals by default, fakes in tests. */
export interface MonitorTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface HealthMonitorOptions {
  engine: MonitoredEngine;
  prober: Prober;
  /** Probes in flight at once; default 8. */
  concurrency?: number;
  /** Each interval is check_interval × (1 ± jitter), so many QCCs never probe a provider in step; default 0.1. */
  jitter?: number;
  /** Uniform in [0, 1); default Math.random. */
  random?: () => number;
  /** How often time-based engine rules are re-evaluated (`engine.tick()`); default 1 000 ms. */
  tickIntervalMs?: number;
  /** Delay before the first check after `start()`; default 0, so health is known soon after launch. */
  firstCheckDelayMs?: number;
  timers?: MonitorTimers;
  /** Epoch ms, for `lastCycleAt` and reports; default Date.now. */
  now?: () => number;
}

/** One probe the monitor made and recorded. */
export interface ProbeRecord {
  config: string;
  endpoint_id: string;
  /** Why: a periodic check, the endpoint's ejection just expired, or it is new and never checked. */
  reason: 'periodic' | 'half_open' | 'new';
  outcome: AttemptOutcome;
}

/** What one periodic check did. */
export interface CycleReport {
  started_at: number;
  finished_at: number;
  probes: ProbeRecord[];
}

const DEFAULT_TIMERS: MonitorTimers = {
  // Looked up at call time, so fake timers installed after import still apply.
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

const CANCELLED: AttemptOutcome = { kind: 'failure', detail: 'probe cancelled: the health monitor stopped' };

/**
 * Active health checks (architecture.md §4.5): every `check_interval` (read
 * afresh each time, with jitter) it probes what `engine.probeTargets()`
 * names, a few at a time, and feeds each outcome to the same breakers live
 * traffic feeds. It drives `engine.tick()` every second so ejections expire
 * on time, and probes an endpoint the moment it turns half-open. An endpoint
 * is never probed twice at once. Timers are unref'd: the monitor never keeps
 * a process alive on its own.
 */
export class HealthMonitor {
  private readonly engine: MonitoredEngine;
  private readonly prober: Prober;
  private readonly concurrency: number;
  private readonly jitter: number;
  private readonly random: () => number;
  private readonly tickIntervalMs: number;
  private readonly firstCheckDelayMs: number;
  private readonly timers: MonitorTimers;
  private readonly now: () => number;

  private running = false;
  /** Set by `stop()`: nothing more is probed or recorded. (`runCycle` without `start` is allowed.) */
  private stopped = false;
  private cycleTimer: unknown = null;
  private cycleDueAt: number | null = null;
  /** Endpoints already given their first-sight probe (keyed like claims). */
  private readonly seen = new Set<string>();
  private tickTimer: unknown = null;
  private unsubscribe: (() => void) | null = null;
  /** Endpoints being probed, by key, with the owner of the claim. */
  private readonly claims = new Map<string, object>();
  private readonly work = new Set<Promise<unknown>>();
  private readonly cycleListeners = new Set<(report: CycleReport) => void>();
  private readonly probeListeners = new Set<(record: ProbeRecord) => void>();
  /** Ends the probes in flight with a cancelled outcome when `stop()` is called, so nothing waits on a hung one. */
  private readonly cancels = new Set<() => void>();

  /** Epoch ms when the last periodic check finished; null before the first. */
  lastCycleAt: number | null = null;
  /** Periodic checks finished so far. */
  cycles = 0;

  constructor(options: HealthMonitorOptions) {
    this.engine = options.engine;
    this.prober = options.prober;
    this.concurrency = options.concurrency ?? PROBE_CONCURRENCY;
    this.jitter = Math.min(Math.max(options.jitter ?? 0.1, 0), 0.5);
    this.random = options.random ?? Math.random;
    this.tickIntervalMs = options.tickIntervalMs ?? 1_000;
    this.firstCheckDelayMs = options.firstCheckDelayMs ?? 0;
    this.timers = options.timers ?? DEFAULT_TIMERS;
    this.now = options.now ?? Date.now;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Starts the schedule: a first check after `firstCheckDelayMs`, then one per jittered interval. Idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopped = false;
    const unsubscribeHealth = this.engine.on('health:changed', (transition) => {
      // Not re-entrantly: the transition fires while the engine is deciding.
      if (transition.to === 'half_open') queueMicrotask(() => this.probeNow(transition.config, transition.endpoint_id, 'half_open'));
    });
    const unsubscribeState = this.engine.on('state:changed', (snapshot) => queueMicrotask(() => this.onStateChanged(snapshot)));
    this.unsubscribe = () => {
      unsubscribeHealth();
      unsubscribeState();
    };
    this.scheduleCycle(this.firstCheckDelayMs);
    this.scheduleTick();
  }

  /**
   * Stops the schedule and resolves once the monitor holds no timers and no
   * work. Probes still running are abandoned: their outcomes are not
   * recorded (close the prober to end their requests too).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.running) {
      this.running = false;
      this.clear();
      this.unsubscribe?.();
      this.unsubscribe = null;
    }
    for (const cancel of [...this.cancels]) cancel();
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }

  /**
   * One periodic check, now: probes `engine.probeTargets()` (skipping
   * endpoints already being probed) and records every outcome. The timer
   * calls it; tests and hosts may too, started or not.
   */
  runCycle(): Promise<CycleReport> {
    return this.track(this.cycle());
  }

  /** Resolves with the report of the next periodic check to finish. */
  nextCycle(): Promise<CycleReport> {
    return new Promise((resolve) => {
      const off = this.onCycle((report) => {
        off();
        resolve(report);
      });
    });
  }

  /** Called after each periodic check; returns an unsubscribe function. */
  onCycle(listener: (report: CycleReport) => void): () => void {
    this.cycleListeners.add(listener);
    return () => this.cycleListeners.delete(listener);
  }

  /** Called after each recorded probe (periodic or half-open); returns an unsubscribe function. */
  onProbe(listener: (record: ProbeRecord) => void): () => void {
    this.probeListeners.add(listener);
    return () => this.probeListeners.delete(listener);
  }

  /** Resolves when no check or probe is in flight. */
  async whenIdle(): Promise<void> {
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }

  private async cycle(): Promise<CycleReport> {
    const startedAt = this.now();
    const probes: ProbeRecord[] = [];
    let targets: ProbeTarget[] = [];
    try {
      this.engine.tick();
      targets = this.engine.probeTargets();
    } catch {
      // An engine bug must not kill the schedule; the next check tries again.
    }
    const owner = {};
    const mine = targets.filter((target) => this.claim(target, owner));
    try {
      await runProbes(
        mine,
        (target) => this.probe(target),
        (target, outcome) => {
          const record = this.record(target, outcome, 'periodic');
          if (record) probes.push(record);
          this.release(target, owner);
        },
        { concurrency: this.concurrency, cancelled: () => this.stopped },
      );
    } finally {
      for (const target of mine) this.release(target, owner);
    }
    const report: CycleReport = { started_at: startedAt, finished_at: this.now(), probes };
    this.lastCycleAt = report.finished_at;
    this.cycles += 1;
    for (const listener of [...this.cycleListeners]) {
      try {
        listener(report);
      } catch {
        // A listener must not break the schedule.
      }
    }
    return report;
  }

  /**
   * Settings changed: a new endpoint gets its first check now rather than at
   * the next interval, and a shorter check_interval applies at once.
   */
  private onStateChanged(snapshot: EngineSnapshot): void {
    if (this.stopped || !this.running) return;
    for (const group of snapshot.tiers) {
      if (!group.enabled) continue;
      for (const config of group.configs) {
        for (const endpoint of config.endpoints) {
          const key = `${config.name}\u0000${endpoint.id}`;
          const unchecked = endpoint.health.last_success === null && endpoint.health.last_failure === null;
          if (!endpoint.enabled || !unchecked || this.seen.has(key)) continue;
          this.seen.add(key);
          this.probeNow(config.name, endpoint.id, 'new');
        }
      }
    }
    const intervalMs = snapshot.policy.check_interval * 1_000;
    if (this.cycleDueAt !== null && this.now() + intervalMs < this.cycleDueAt) {
      if (this.cycleTimer !== null) this.timers.clearTimeout(this.cycleTimer);
      this.scheduleCycle(this.nextIntervalMs());
    }
  }

  /** An out-of-cycle probe of one endpoint: its ejection just expired, or it was just added. */
  private probeNow(config: string, endpointId: string, reason: 'half_open' | 'new'): void {
    if (this.stopped) return;
    const target = this.engine.probeTarget(config, endpointId);
    const owner = {};
    if (target === null || !this.claim(target, owner)) return;
    const run = async (): Promise<void> => {
      try {
        const outcome = await this.probe(target).catch((error: unknown): AttemptOutcome => ({
          kind: 'failure',
          detail: `probe failed: ${error instanceof Error ? error.message : String(error)}`,
        }));
        this.record(target, outcome, reason);
      } finally {
        this.release(target, owner);
      }
    };
    void this.track(run());
  }

  /** The prober's answer, or a cancelled outcome as soon as `stop()` is called. */
  private probe(target: ProbeTarget): Promise<AttemptOutcome> {
    if (this.stopped) return Promise.resolve(CANCELLED);
    let answer: Promise<AttemptOutcome>;
    try {
      answer = this.prober.probe(target);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return new Promise<AttemptOutcome>((resolve, reject) => {
      const cancel = (): void => resolve(CANCELLED);
      this.cancels.add(cancel);
      answer.then(resolve, reject).finally(() => this.cancels.delete(cancel));
    });
  }

  /** Feeds an outcome to the engine unless the monitor stopped meanwhile. */
  private record(target: ProbeTarget, outcome: AttemptOutcome, reason: ProbeRecord['reason']): ProbeRecord | null {
    if (this.stopped) return null;
    try {
      this.engine.recordOutcome(target.config, target.endpoint.id, outcome, 'probe');
    } catch {
      return null;
    }
    const record: ProbeRecord = { config: target.config, endpoint_id: target.endpoint.id, reason, outcome };
    for (const listener of [...this.probeListeners]) {
      try {
        listener(record);
      } catch {
        // Observers must not break probing.
      }
    }
    return record;
  }

  private claim(target: ProbeTarget, owner: object): boolean {
    const key = claimKey(target);
    if (this.claims.has(key)) return false;
    this.claims.set(key, owner);
    return true;
  }

  private release(target: ProbeTarget, owner: object): void {
    const key = claimKey(target);
    if (this.claims.get(key) === owner) this.claims.delete(key);
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.work.add(promise);
    const forget = (): void => {
      this.work.delete(promise);
    };
    promise.then(forget, forget);
    return promise;
  }

  private scheduleCycle(delayMs: number): void {
    this.cycleDueAt = this.now() + delayMs;
    this.cycleTimer = this.setTimer(() => {
      this.cycleTimer = null;
      this.cycleDueAt = null;
      if (!this.running) return;
      // The next check is planned from this one's start, so a slow check does not stretch the interval;
      // overlapping checks are harmless, since an endpoint being probed is not probed again.
      this.scheduleCycle(this.nextIntervalMs());
      void this.runCycle();
    }, delayMs);
  }

  private scheduleTick(): void {
    this.tickTimer = this.setTimer(() => {
      this.tickTimer = null;
      if (!this.running) return;
      try {
        this.engine.tick();
      } catch {
        // Keep ticking; the next one may succeed.
      }
      this.scheduleTick();
    }, this.tickIntervalMs);
  }

  /** check_interval from the current policy, so a policy change applies from the next check. */
  private nextIntervalMs(): number {
    const base = this.engine.policy.check_interval * 1_000;
    return Math.max(0, Math.round(base * (1 + this.jitter * (2 * this.random() - 1))));
  }

  private setTimer(callback: () => void, ms: number): unknown {
    const handle = this.timers.setTimeout(callback, ms);
    (handle as { unref?: () => void } | null)?.unref?.();
    return handle;
  }

  private clear(): void {
    if (this.cycleTimer !== null) this.timers.clearTimeout(this.cycleTimer);
    if (this.tickTimer !== null) this.timers.clearTimeout(this.tickTimer);
    this.cycleTimer = null;
    this.tickTimer = null;
  }
}

function claimKey(target: ProbeTarget): string {
  return `${target.config}\n${target.endpoint.id}`;
}
