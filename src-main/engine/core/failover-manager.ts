import type { EngineNotification, NotificationKind } from '../../../src-shared/contract/events.js';
import { EngineError } from '../../../src-shared/contract/errors.js';
import { AUTOMATIC_SWITCH_TYPES, type FailoverEvent, type FailoverEventType } from '../../../src-shared/model/event.js';
import type { ConfigHealth } from '../../../src-shared/model/health.js';
import type { FailoverPolicy } from '../../../src-shared/model/policy.js';
import type { Clock, IdSource } from './ports.js';

const HOUR_MS = 3_600_000;

/** What the manager needs to know about the world at one decision. */
export interface FailoverInputs {
  /** Serving configs, best first (enabled tiers in order, then order within tier). */
  order: readonly string[];
  health(name: string): ConfigHealth;
  policy: FailoverPolicy;
}

export interface FailoverManagerDeps {
  clock: Clock;
  ids: IdSource;
  /** Persists and publishes a history entry. */
  record(event: FailoverEvent): void;
  /** Shows something to the user; the manager already applied the notify_on_* flags. */
  notify(notification: EngineNotification): void;
}

export interface ActiveSelection {
  active: string | null;
  pinned: boolean;
}

/**
 * Decides which config is active (architecture.md §4.4): immediate failover
 * away from an unhealthy config walking all tiers, `all_down` when nothing is
 * left, recovery gated by success_threshold + recovery_delay + cooldown, flap
 * damping by max_failovers_per_hour, and manual switches that pin.
 */
export class FailoverManager {
  private selection: ActiveSelection;
  private lastSwitchAt: number | null = null;
  private automaticSwitchTimes: number[] = [];
  private allDown = false;
  private recoveryReadyAnnounced: string | null = null;
  private recoveryPauseAnnounced = false;
  private drill: { config: string; until: number } | null = null;

  /** `history` (any order) seeds the cooldown and the hourly window across restarts. */
  constructor(
    private readonly deps: FailoverManagerDeps,
    initial: ActiveSelection,
    history: readonly FailoverEvent[] = [],
  ) {
    this.selection = { ...initial };
    const now = deps.clock.now();
    for (const event of history) {
      const at = Date.parse(event.timestamp);
      if (Number.isNaN(at) || event.event_type === 'recovery_paused' || event.event_type === 'all_down') continue;
      this.lastSwitchAt = Math.max(this.lastSwitchAt ?? at, at);
      if (AUTOMATIC_SWITCH_TYPES.includes(event.event_type) && now - at < HOUR_MS) this.automaticSwitchTimes.push(at);
    }
    this.automaticSwitchTimes.sort((a, b) => a - b);
  }

  get active(): string | null {
    return this.selection.active;
  }

  get pinned(): boolean {
    return this.selection.pinned;
  }

  /** Whether the last decision found no config able to serve. */
  get isAllDown(): boolean {
    return this.allDown;
  }

  /** Automatic switches within the last hour, as counted for flap damping. */
  switchesInLastHour(): number {
    this.pruneHourlyWindow();
    return this.automaticSwitchTimes.length;
  }

  /**
   * Re-decides the active config from the current health. Call after every
   * outcome, settings change and timer tick. Returns true when the active
   * config or the pin changed.
   */
  evaluate(inputs: FailoverInputs): boolean {
    const before = { ...this.selection };
    this.decide(inputs);
    return before.active !== this.selection.active || before.pinned !== this.selection.pinned;
  }

  /**
   * Why a manual switch to `name` would be refused now, or null when it would
   * be made. The snapshot carries this per config so the tray and dashboard
   * grey out what the engine would refuse, with the engine's words.
   */
  switchRefusal(name: string, inputs: FailoverInputs): string | null {
    if (!inputs.order.includes(name)) return `config "${name}" cannot serve: its tier is disabled`;
    if (this.selection.active === name) return null;
    const { health, order, policy } = inputs;
    const othersServe = order.some((other) => other !== name && health(other).status !== 'unhealthy');
    if (policy.auto_failover_enabled && health(name).status === 'unhealthy' && othersServe) {
      // Switching would be undone by the next decision; say so instead of flapping.
      return `config "${name}" is unhealthy (every endpoint is ejected), so QCC would fail over away from it at once; check its health first`;
    }
    return null;
  }

  /** Switches to `name` by hand, with the user's reason, and pins it. Null when it was already active. */
  manualSwitch(name: string, reason: string, inputs: FailoverInputs): FailoverEvent | null {
    const refusal = this.switchRefusal(name, inputs);
    if (refusal !== null) throw new EngineError('failed_precondition', refusal);
    if (this.selection.active === name) {
      this.selection.pinned = true;
      return null;
    }
    const event = this.switchTo(name, 'manual', reason || 'manual switch');
    this.selection.pinned = true;
    return event;
  }

  /** The config a running failover drill treats as failed, and until when (epoch ms). */
  get activeDrill(): { config: string; until: number } | null {
    return this.drill === null ? null : { ...this.drill };
  }

  /**
   * The seed's "test failover regularly", made one action: treats the active
   * config as failed for `durationMs`, so traffic moves to the next config,
   * then moves it back when the drill ends. Both moves are recorded.
   */
  startDrill(durationMs: number, inputs: FailoverInputs): FailoverEvent {
    const current = this.selection.active;
    if (current === null) throw new EngineError('failed_precondition', 'there is no active config to drill');
    if (this.drill !== null) throw new EngineError('failed_precondition', `a failover drill of "${this.drill.config}" is already running`);
    const target = this.drillTarget(inputs);
    if (target === null) throw new EngineError('failed_precondition', `no other healthy config to fail over to from "${current}"`);
    const seconds = Math.round(durationMs / 1_000);
    const event = this.switchTo(target, 'drill_started', `failover drill: treating ${current} as failed for ${seconds} s`);
    this.selection.pinned = false;
    this.drill = { config: current, until: this.deps.clock.now() + durationMs };
    this.notifyIf(inputs.policy.notify_on_failover, 'failover', `Drill: failed over to ${target}`, `${current} → ${target} for ${seconds} s`, event, target);
    return event;
  }

  /** Where a drill started now would move traffic; null when none can start (no active config, one running, nowhere healthy to go). */
  drillTarget(inputs: FailoverInputs): string | null {
    const current = this.selection.active;
    if (current === null || this.drill !== null) return null;
    return inputs.order.find((name) => name !== current && inputs.health(name).status !== 'unhealthy') ?? null;
  }

  /** Follows a config rename so the active selection keeps pointing at it. */
  renameConfig(from: string, to: string): void {
    if (this.selection.active === from) this.selection.active = to;
    if (this.drill?.config === from) this.drill = { ...this.drill, config: to };
  }

  /** Lets automatic recovery move away from a manually chosen config again. */
  unpin(): void {
    this.selection.pinned = false;
  }

  private decide(rawInputs: FailoverInputs): void {
    this.endDrillIfDue(rawInputs);
    const inputs = this.withDrill(rawInputs);
    const { order, health, policy } = inputs;
    const active = this.selection.active;
    if (active === null || !order.includes(active)) {
      this.reassign(inputs);
      if (this.selection.active === null) return;
    }
    const current = this.selection.active as string;
    const usable = order.filter((name) => health(name).status !== 'unhealthy');

    if (usable.length === 0) {
      this.announceAllDown(current);
      return;
    }
    this.allDown = false;

    if (health(current).status === 'unhealthy') {
      if (!policy.auto_failover_enabled) return;
      // Never leave traffic on a dead config because of a timer: no cooldown or hourly limit here.
      const target = usable[0] as string;
      const event = this.switchTo(target, 'failover', failoverReason(health(current)));
      this.countAutomaticSwitch();
      this.selection.pinned = false;
      this.notifyIf(policy.notify_on_failover, 'failover', `Failed over to ${target}`, `${current} → ${target}: ${event.reason}`, event, target);
      return;
    }

    if (this.selection.pinned) return;
    this.considerRecovery(inputs, current);
  }

  private considerRecovery({ order, health, policy }: FailoverInputs, current: string): void {
    const now = this.deps.clock.now();
    const better = order.slice(0, order.indexOf(current));
    const target = better.find((name) => isRecoveryReady(health(name), policy, now));
    if (target === undefined) {
      this.recoveryReadyAnnounced = null;
      return;
    }
    if (!policy.auto_recovery_enabled) {
      const key = `${current}→${target}`;
      if (this.recoveryReadyAnnounced !== key) {
        this.recoveryReadyAnnounced = key;
        this.notifyIf(
          policy.notify_on_recovery,
          'recovery_ready',
          `${target} is healthy again`,
          `Switch back from ${current} to ${target}?`,
          null,
          target,
        );
      }
      return;
    }
    if (this.lastSwitchAt !== null && now - this.lastSwitchAt < policy.cooldown_period * 1_000) return;
    if (this.switchesInLastHour() >= policy.max_failovers_per_hour) {
      this.announceRecoveryPause(current, target, policy);
      return;
    }
    this.recoveryPauseAnnounced = false;
    const successes = health(target).consecutive_successes;
    const event = this.switchTo(target, 'recovery', `${target} healthy again (${successes} consecutive successful checks)`);
    this.countAutomaticSwitch();
    this.notifyIf(policy.notify_on_recovery, 'recovery', `Recovered to ${target}`, `${current} → ${target}: ${event.reason}`, event, target);
  }

  /** While a drill runs, its config looks dead to every decision. */
  private withDrill(inputs: FailoverInputs): FailoverInputs {
    const drilled = this.drill?.config;
    if (drilled === undefined) return inputs;
    return {
      ...inputs,
      health: (name) => {
        const health = inputs.health(name);
        return name === drilled ? { ...health, status: 'unhealthy', is_healthy: false, healthy_endpoints: 0 } : health;
      },
    };
  }

  /** At the drill's end, traffic goes back to the drilled config if it can serve. */
  private endDrillIfDue({ order, health }: FailoverInputs): void {
    const drill = this.drill;
    if (drill === null) return;
    // A drill must never cause an outage: it ends early when nothing else can serve.
    const othersServe = order.some((name) => name !== drill.config && health(name).status !== 'unhealthy');
    if (this.deps.clock.now() < drill.until && othersServe) return;
    this.drill = null;
    const serves = order.includes(drill.config) && health(drill.config).status !== 'unhealthy';
    if (serves && this.selection.active !== drill.config && !this.selection.pinned) {
      this.switchTo(drill.config, 'drill_ended', `failover drill finished; back to ${drill.config}`);
      this.selection.pinned = false;
    } else if (!serves) {
      this.recordEvent('drill_ended', this.selection.active, null, `failover drill finished; ${drill.config} cannot serve, staying on ${this.selection.active ?? 'nothing'}`);
    }
  }

  /** The active config no longer serves (removed, moved to disabled, tier off): pick the best one. */
  private reassign({ order, health }: FailoverInputs): void {
    const previous = this.selection.active;
    const target = order.find((name) => health(name).status !== 'unhealthy') ?? order[0] ?? null;
    this.selection.pinned = false;
    if (target === previous) return;
    if (previous === null || target === null) {
      this.selection.active = target;
      return;
    }
    this.switchTo(target, 'reassigned', `${previous} no longer serves (removed, disabled or its tier turned off)`);
  }

  private announceAllDown(current: string): void {
    if (this.allDown) return;
    this.allDown = true;
    const event = this.recordEvent('all_down', current, null, 'no enabled config has a healthy endpoint; still trying all of them');
    // Nothing can serve: the user must hear of it whatever the notify flags say.
    this.notifyIf(true, 'all_down', 'All configs are down', `Requests keep being retried on every endpoint. ${current} stays active.`, event, current);
  }

  private announceRecoveryPause(current: string, target: string, policy: FailoverPolicy): void {
    if (this.recoveryPauseAnnounced) return;
    this.recoveryPauseAnnounced = true;
    const reason = `${policy.max_failovers_per_hour} automatic switches within the last hour; automatic recovery to ${target} paused`;
    const event = this.recordEvent('recovery_paused', current, target, reason);
    this.notifyIf(policy.notify_on_recovery, 'flapping', 'Failover limit reached', reason, event, current);
  }

  private switchTo(target: string, type: FailoverEventType, reason: string): FailoverEvent {
    const event = this.recordEvent(type, this.selection.active, target, reason);
    this.selection.active = target;
    this.lastSwitchAt = this.deps.clock.now();
    this.recoveryReadyAnnounced = null;
    return event;
  }

  private recordEvent(type: FailoverEventType, from: string | null, to: string | null, reason: string): FailoverEvent {
    const event: FailoverEvent = {
      event_id: this.deps.ids.next('ev'),
      event_type: type,
      from_config: from,
      to_config: to,
      reason,
      timestamp: new Date(this.deps.clock.now()).toISOString(),
      success: true,
    };
    this.deps.record(event);
    return event;
  }

  private notifyIf(
    enabled: boolean,
    kind: NotificationKind,
    title: string,
    body: string,
    event: FailoverEvent | null,
    config: string | null,
  ): void {
    if (!enabled) return;
    this.deps.notify({ kind, title, body, event_id: event?.event_id ?? null, config });
  }

  private countAutomaticSwitch(): void {
    this.automaticSwitchTimes.push(this.deps.clock.now());
  }

  private pruneHourlyWindow(): void {
    const cutoff = this.deps.clock.now() - HOUR_MS;
    while ((this.automaticSwitchTimes[0] ?? Number.POSITIVE_INFINITY) <= cutoff) this.automaticSwitchTimes.shift();
  }
}

/**
 * success_threshold consecutive successes, and no config-level failure (one
 * the config could not serve through) within recovery_delay.
 */
export function isRecoveryReady(health: ConfigHealth, policy: FailoverPolicy, now: number): boolean {
  return (
    health.is_healthy &&
    health.status !== 'unknown' &&
    health.consecutive_successes >= policy.success_threshold &&
    (health.last_failure === null || now - health.last_failure >= policy.recovery_delay * 1_000)
  );
}

function failoverReason(health: ConfigHealth): string {
  const { config_name, total_endpoints, consecutive_failures } = health;
  if (total_endpoints === 0) return `${config_name} has no enabled endpoint`;
  const all = total_endpoints === 1 ? 'its endpoint is' : `all ${total_endpoints} endpoints are`;
  // Failures the config could not absorb; none when it lost its last endpoint to a user edit.
  if (consecutive_failures === 0) return `${config_name}: ${all} failing`;
  const failures = consecutive_failures === 1 ? '1 consecutive failure' : `${consecutive_failures} consecutive failures`;
  return `${config_name}: ${all} failing (${failures})`;
}
