import type { EngineNotification } from '../../../src-shared/contract/events.js';
import type { AuthStyle, Endpoint } from '../../../src-shared/model/config.js';
import type { FailoverEvent } from '../../../src-shared/model/event.js';
import type { FailoverPolicy } from '../../../src-shared/model/policy.js';
import type { Settings } from '../../../src-shared/model/settings.js';
import type { AttemptOutcome } from './outcome.js';

/** The only source of time in the core. Epoch milliseconds. */
export interface Clock {
  now(): number;
}

/** Unique short ids for endpoints and events. */
export interface IdSource {
  next(prefix: string): string;
}

/** Where user-facing notifications go (native notifications, tray, log). Must not throw. */
export interface Notifier {
  notify(notification: EngineNotification): void;
}

/** The persistent, bounded failover history. */
export interface EventLog {
  append(event: FailoverEvent): Promise<void>;
  /** Up to `limit` events, newest first. */
  recent(limit: number): Promise<FailoverEvent[]>;
}

export interface SettingsLoadResult {
  settings: Settings;
  /** Problems met while loading, e.g. a corrupt file moved aside. Already user-readable. */
  problems: string[];
}

/**
 * Settings storage shared by several processes. `update` applies `mutate` to
 * the latest stored document (not a cached copy) so concurrent writers never
 * lose each other's changes; if `mutate` throws, nothing is written.
 */
export interface SettingsRepository {
  load(): Promise<SettingsLoadResult>;
  update(mutate: (current: Settings) => Settings): Promise<Settings>;
}

/** The API settings Claude Code uses on this host, found where Claude Code itself reads them. */
export interface ClaudeCodeSettings {
  /** Null when Claude Code has no API key set up (it logs in with an account instead, or is not installed). */
  detect(): Promise<{ base_url: string; api_key: string; auth_style: AuthStyle; source: string } | null>;
}

/** Active health checks: one cheap, honest request to one endpoint. */
export interface Prober {
  probe(target: ProbeTarget): Promise<AttemptOutcome>;
}

export interface ProbeTarget {
  config: string;
  endpoint: Endpoint;
  /** Set when the config opted in to token-spending probes. */
  message_probe: { model: string } | null;
  policy: FailoverPolicy;
}
