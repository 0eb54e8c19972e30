// Shows the engine's notifications as native notifications, after the
// notification policy (notification-policy.ts) decided which to show.
import { Notification } from 'electron';
import type { EngineNotification } from '../../src-shared/contract/events.js';
import type { NativeNotificationSpec, NotificationPolicy, NotifyFlags } from './notification-policy.js';

export interface DesktopNotifierOptions {
  policy: NotificationPolicy;
  /** The current policy flags; read per notification so a change applies at once. */
  flags(): NotifyFlags;
  /** The user clicked a notification: open the dashboard there. */
  onClick(target: NativeNotificationSpec['clickTarget']): void;
  /** The user chose "Switch back" on a recovery_ready notification. */
  onSwitchBack(config: string): void;
  /** The app's icon, shown in the notification where the platform allows. */
  iconPath?: string;
}

/**
 * The desktop app's notification sink. Shown notifications are kept referenced
 * until dismissed: Electron drops the click handlers of a notification that is
 * garbage-collected while still on screen.
 */
export class DesktopNotifier {
  private readonly live = new Set<Notification>();

  constructor(private readonly options: DesktopNotifierOptions) {}

  /** Shows `notification` if the policy lets it through; returns whether it was shown. */
  show(notification: EngineNotification): boolean {
    if (!Notification.isSupported()) return false;
    const spec = this.options.policy.decide(notification, this.options.flags());
    if (spec === null) return false;
    const native = new Notification({
      title: spec.title,
      body: spec.body,
      urgency: spec.urgency,
      ...(spec.actions ? { actions: spec.actions.map((action) => ({ type: 'button' as const, text: action.label })) } : {}),
      ...(this.options.iconPath ? { icon: this.options.iconPath } : {}),
    });
    const forget = () => this.live.delete(native);
    native.on('click', () => {
      forget();
      this.options.onClick(spec.clickTarget);
    });
    native.on('action', (_event, index) => {
      forget();
      const action = spec.actions?.[index];
      if (action?.id === 'switch-back' && spec.clickTarget.config !== null) this.options.onSwitchBack(spec.clickTarget.config);
    });
    native.on('close', forget);
    this.live.add(native);
    native.show();
    return true;
  }

  /** Closes every notification still on screen (on quit). */
  closeAll(): void {
    for (const native of this.live) native.close();
    this.live.clear();
  }
}
