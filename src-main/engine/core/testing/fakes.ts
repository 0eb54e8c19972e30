import type { EngineNotification } from '../../../../src-shared/contract/events.js';
import { EngineError } from '../../../../src-shared/contract/errors.js';
import type { FailoverEvent } from '../../../../src-shared/model/event.js';
import { SettingsSchema, emptySettings, type Settings } from '../../../../src-shared/model/settings.js';
import { describeIssues } from '../../../../src-shared/model/validation.js';
import type { AttemptOutcome } from '../outcome.js';
import type { Clock, EventLog, IdSource, Notifier, Prober, ProbeTarget, SettingsLoadResult, SettingsRepository } from '../ports.js';

/** A clock tests move by hand: `clock.advance(3_000)`. */
export class FakeClock implements Clock {
  constructor(private current = Date.UTC(2026, 0, 1, 12, 0, 0)) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    if (ms < 0) throw new Error('time only moves forward');
    this.current += ms;
  }
  advanceSeconds(seconds: number): void {
    this.advance(seconds * 1_000);
  }
}

/** Deterministic ids: `ep-1`, `ev-2`, … */
export class SequentialIds implements IdSource {
  private counter = 0;
  next(prefix: string): string {
    this.counter += 1;
    return `${prefix}-${this.counter}`;
  }
}

/** Remembers every notification. */
export class RecordingNotifier implements Notifier {
  readonly notifications: EngineNotification[] = [];
  notify(notification: EngineNotification): void {
    this.notifications.push(notification);
  }
  kinds(): string[] {
    return this.notifications.map((n) => n.kind);
  }
}

/** An in-memory EventLog with the same contract as the JSONL one. */
export class MemoryEventLog implements EventLog {
  readonly events: FailoverEvent[] = [];
  async append(event: FailoverEvent): Promise<void> {
    this.events.push(event);
  }
  async recent(limit: number): Promise<FailoverEvent[]> {
    return this.events.slice(-limit).reverse();
  }
}

/** An in-memory SettingsRepository that validates like the file one. */
export class MemorySettingsRepository implements SettingsRepository {
  writes = 0;
  constructor(public stored: Settings = emptySettings()) {}
  async load(): Promise<SettingsLoadResult> {
    return { settings: clone(this.stored), problems: [] };
  }
  async update(mutate: (current: Settings) => Settings): Promise<Settings> {
    const next = mutate(clone(this.stored));
    const parsed = SettingsSchema.safeParse(next);
    if (!parsed.success) throw new EngineError('invalid_argument', describeIssues(parsed.error));
    this.stored = parsed.data;
    this.writes += 1;
    return clone(parsed.data);
  }
}

/** A prober whose answers the test sets per endpoint id; unknown endpoints succeed. */
export class ScriptedProber implements Prober {
  readonly outcomes = new Map<string, AttemptOutcome>();
  readonly probed: string[] = [];
  async probe(target: ProbeTarget): Promise<AttemptOutcome> {
    this.probed.push(target.endpoint.id);
    return this.outcomes.get(target.endpoint.id) ?? { kind: 'success', latency_ms: 5 };
  }
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * A policy that fails over on the first failure and recovers as soon as the
 * primary's first check after its shortest ejection succeeds: for tests that
 * run a whole failover and recovery in real time over sockets.
 */
export const FAST_RECOVERY_POLICY = {
  auto_recovery_enabled: true,
  failure_threshold: 1,
  success_threshold: 1,
  recovery_delay: 0,
  cooldown_period: 0,
  ejection_base_time: 1,
  ejection_max_time: 2,
} as const;
