// Which engine notifications become native notifications, and what they say.
// Pure apart from the injected clock, and Electron-free so it is tested in plain Node.
import type { EngineNotification, NotificationKind } from '../../src-shared/contract/events.js';
import type { FailoverPolicy } from '../../src-shared/model/policy.js';

/** A button on a native notification, where the platform supports actions. */
export interface NotificationAction {
  id: 'switch-back';
  label: string;
}

/** What the shell shows: everything Electron's Notification needs, plus where a click leads. */
export interface NativeNotificationSpec {
  kind: NotificationKind;
  title: string;
  body: string;
  /** Linux honours `critical` (stays until dismissed); other platforms ignore it. */
  urgency: 'normal' | 'critical';
  /** Only for `recovery_ready`: offer the switch back to `clickTarget.config`. */
  actions?: NotificationAction[];
  /** Clicking opens the dashboard at this history entry (or at the config when there is none). */
  clickTarget: { event_id: string | null; config: string | null };
}

/** The policy knobs that decide what the user is told. */
export type NotifyFlags = Pick<FailoverPolicy, 'notify_on_failover' | 'notify_on_recovery'>;

/** At most one notification per config in this window (ms); the rest are counted, not shown. */
export const COALESCE_WINDOW_MS = 60_000;

/**
 * Which flag turns a kind off. Mirrors the engine's own gating; `all_down` has
 * none: when nothing can serve the user is always told.
 */
const FLAG_FOR_KIND: Record<NotificationKind, keyof NotifyFlags | null> = {
  failover: 'notify_on_failover',
  credential_rejected: 'notify_on_failover',
  all_down: null,
  recovery: 'notify_on_recovery',
  recovery_ready: 'notify_on_recovery',
  flapping: 'notify_on_recovery',
};

interface ConfigWindow {
  /** When the last notification about this config was shown (epoch ms). */
  shownAt: number;
  /** Notifications about this config held back since then. */
  suppressed: number;
}

/**
 * Decides, per engine notification, whether to show a native notification now.
 * Bursts are coalesced: at most one per config per {@link COALESCE_WINDOW_MS};
 * held-back ones are summarised as "(+N more)" in the next one shown about that
 * config. `all_down` is always shown and leaves the per-config windows alone.
 */
export class NotificationPolicy {
  private readonly windows = new Map<string, ConfigWindow>();

  constructor(private readonly deps: { now: () => number }) {}

  /** The spec to show now, or null when the user opted out or it falls into a burst. */
  decide(notification: EngineNotification, flags: NotifyFlags): NativeNotificationSpec | null {
    const flag = FLAG_FOR_KIND[notification.kind];
    if (flag !== null && !flags[flag]) return null;
    // all_down must always reach the user; recovery_ready comes once per chance, so holding it back would lose the offer.
    if (notification.kind === 'all_down' || notification.kind === 'recovery_ready') return toSpec(notification, 0);

    const now = this.deps.now();
    const key = coalesceKey(notification);
    const window = this.windows.get(key);
    if (window !== undefined && now - window.shownAt < COALESCE_WINDOW_MS) {
      window.suppressed += 1;
      return null;
    }
    this.pruneExpired(now);
    this.windows.set(key, { shownAt: now, suppressed: 0 });
    return toSpec(notification, window?.suppressed ?? 0);
  }

  /** Notifications held back about `config` since the last one shown (null: those about no config). */
  suppressedFor(config: string | null): number {
    return this.windows.get(config === null ? NO_CONFIG : `config:${config}`)?.suppressed ?? 0;
  }

  // Windows that expired with nothing held back carry no information; drop them so the map stays small.
  private pruneExpired(now: number): void {
    for (const [key, window] of this.windows) {
      if (window.suppressed === 0 && now - window.shownAt >= COALESCE_WINDOW_MS) this.windows.delete(key);
    }
  }
}

const NO_CONFIG = 'none';

function coalesceKey(notification: EngineNotification): string {
  return notification.config === null ? NO_CONFIG : `config:${notification.config}`;
}

function toSpec(notification: EngineNotification, heldBack: number): NativeNotificationSpec {
  const spec: NativeNotificationSpec = {
    kind: notification.kind,
    title: notification.title,
    body: heldBack > 0 ? `${notification.body} (+${heldBack} more)` : notification.body,
    urgency: notification.kind === 'all_down' ? 'critical' : 'normal',
    clickTarget: { event_id: notification.event_id, config: notification.config },
  };
  if (notification.kind === 'recovery_ready' && notification.config !== null) {
    spec.actions = [{ id: 'switch-back', label: 'Switch back' }];
  }
  return spec;
}
