import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineNotification } from '../../src-shared/contract/events.js';
import { COALESCE_WINDOW_MS, NotificationPolicy, type NotifyFlags } from './notification-policy.js';

vi.mock('electron', async () => (await import('./testing/fake-shell.js')).fakeShellModule);

const { DesktopNotifier } = await import('./desktop-notifier.js');
const { FakeNotification, resetFakeShell } = await import('./testing/fake-shell.js');

function notification(overrides: Partial<EngineNotification> = {}): EngineNotification {
  return { kind: 'failover', title: 'Failed over to backup', body: 'production: 3 failures', event_id: 'evt_1', config: 'production', ...overrides };
}

function setup(flags: NotifyFlags = { notify_on_failover: true, notify_on_recovery: true }) {
  let now = 1_000_000;
  const clicks: unknown[] = [];
  const switchBacks: string[] = [];
  const current = { ...flags };
  const notifier = new DesktopNotifier({
    policy: new NotificationPolicy({ now: () => now }),
    flags: () => current,
    onClick: (target) => clicks.push(target),
    onSwitchBack: (config) => switchBacks.push(config),
    iconPath: '/app/assets/icon.png',
  });
  return { notifier, clicks, switchBacks, flags: current, advance: (ms: number) => (now += ms) };
}

beforeEach(() => resetFakeShell());

describe('DesktopNotifier', () => {
  it('shows a failover as a native notification', () => {
    const { notifier } = setup();
    expect(notifier.show(notification())).toBe(true);
    expect(FakeNotification.shown).toHaveLength(1);
    expect(FakeNotification.shown[0]!.options).toMatchObject({ title: 'Failed over to backup', body: 'production: 3 failures', urgency: 'normal', icon: '/app/assets/icon.png' });
  });

  it('reads the policy flags on every notification, so turning one off applies at once', () => {
    const { notifier, flags } = setup();
    flags.notify_on_failover = false;
    expect(notifier.show(notification())).toBe(false);
    flags.notify_on_recovery = false;
    expect(notifier.show(notification({ kind: 'recovery', config: 'x' }))).toBe(false);
    expect(notifier.show(notification({ kind: 'all_down', config: null }))).toBe(true);
    expect(FakeNotification.shown.map((shown) => shown.options.urgency)).toEqual(['critical']);
  });

  it('coalesces a burst about one config into one notification a minute', () => {
    const { notifier, advance } = setup();
    notifier.show(notification());
    notifier.show(notification({ event_id: 'evt_2' }));
    advance(COALESCE_WINDOW_MS);
    notifier.show(notification({ event_id: 'evt_3' }));
    expect(FakeNotification.shown.map((shown) => shown.options.body)).toEqual(['production: 3 failures', 'production: 3 failures (+1 more)']);
  });

  it('opens the dashboard at the event on click', () => {
    const { notifier, clicks } = setup();
    notifier.show(notification({ event_id: 'evt_9', config: 'production' }));
    FakeNotification.shown[0]!.emit('click');
    expect(clicks).toEqual([{ event_id: 'evt_9', config: 'production' }]);
  });

  it('offers "Switch back" when a better config is healthy again, and switches on that action', () => {
    const { notifier, switchBacks } = setup();
    notifier.show(notification({ kind: 'recovery_ready', title: 'production is healthy again', config: 'production', event_id: null }));
    const shown = FakeNotification.shown[0]!;
    expect(shown.options.actions).toEqual([{ type: 'button', text: 'Switch back' }]);
    shown.emit('action', {}, 0);
    expect(switchBacks).toEqual(['production']);
  });

  it('shows nothing where the platform has no notifications', () => {
    FakeNotification.supported = false;
    const { notifier } = setup();
    expect(notifier.show(notification({ kind: 'all_down', config: null }))).toBe(false);
    expect(FakeNotification.shown).toHaveLength(0);
  });

  it('closes the notifications still on screen when asked (on quit)', () => {
    const { notifier } = setup();
    notifier.show(notification());
    notifier.show(notification({ config: 'other' }));
    FakeNotification.shown[0]!.emit('close');
    notifier.closeAll();
    expect(FakeNotification.shown.map((shown) => shown.closed)).toEqual([false, true]);
  });
});
