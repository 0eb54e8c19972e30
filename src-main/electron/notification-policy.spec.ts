import { describe, expect, it } from 'vitest';
import type { EngineNotification, NotificationKind } from '../../src-shared/contract/events.js';
import { COALESCE_WINDOW_MS, NotificationPolicy, type NotifyFlags } from './notification-policy.js';

/** A clock the test moves by hand. */
class FakeClock {
  constructor(public time = 1_700_000_000_000) {}
  now = (): number => this.time;
  advance(ms: number): void {
    this.time += ms;
  }
}

const BOTH_ON: NotifyFlags = { notify_on_failover: true, notify_on_recovery: true };
const BOTH_OFF: NotifyFlags = { notify_on_failover: false, notify_on_recovery: false };

let nextId = 1;
function notification(kind: NotificationKind, overrides: Partial<EngineNotification> = {}): EngineNotification {
  return {
    kind,
    title: `${kind} title`,
    body: `${kind} body`,
    event_id: `ev-${nextId++}`,
    config: 'backup',
    ...overrides,
  };
}

function setup() {
  const clock = new FakeClock();
  return { clock, policy: new NotificationPolicy({ now: clock.now }) };
}

describe('NotificationPolicy', () => {
  describe('what it shows', () => {
    it('passes title and body through and points a click at the event', () => {
      const { policy } = setup();
      const spec = policy.decide(notification('failover', { title: 'Failed over to backup', body: 'production → backup: 3 failures', event_id: 'ev-42' }), BOTH_ON);
      expect(spec).toEqual({
        kind: 'failover',
        title: 'Failed over to backup',
        body: 'production → backup: 3 failures',
        urgency: 'normal',
        clickTarget: { event_id: 'ev-42', config: 'backup' },
      });
    });

    it('offers "Switch back" on recovery_ready', () => {
      const { policy } = setup();
      const spec = policy.decide(notification('recovery_ready', { config: 'production', event_id: null }), BOTH_ON);
      expect(spec?.actions).toEqual([{ id: 'switch-back', label: 'Switch back' }]);
      expect(spec?.clickTarget).toEqual({ event_id: null, config: 'production' });
    });

    it.each(['failover', 'recovery', 'all_down', 'flapping', 'credential_rejected'] as const)('offers no action on %s', (kind) => {
      const { policy } = setup();
      expect(policy.decide(notification(kind), BOTH_ON)?.actions).toBeUndefined();
    });

    it('marks all_down critical and everything else normal', () => {
      const { policy } = setup();
      expect(policy.decide(notification('all_down'), BOTH_ON)?.urgency).toBe('critical');
      expect(policy.decide(notification('recovery', { config: 'other' }), BOTH_ON)?.urgency).toBe('normal');
    });
  });

  describe('notify_on_failover / notify_on_recovery', () => {
    it.each(['failover', 'credential_rejected'] as const)('drops %s when notify_on_failover is off', (kind) => {
      const { policy } = setup();
      expect(policy.decide(notification(kind), { notify_on_failover: false, notify_on_recovery: true })).toBeNull();
      expect(policy.decide(notification(kind, { config: 'other' }), { notify_on_failover: true, notify_on_recovery: false })).not.toBeNull();
    });

    it.each(['recovery', 'recovery_ready', 'flapping'] as const)('drops %s when notify_on_recovery is off', (kind) => {
      const { policy } = setup();
      expect(policy.decide(notification(kind), { notify_on_failover: true, notify_on_recovery: false })).toBeNull();
      expect(policy.decide(notification(kind, { config: 'other' }), { notify_on_failover: false, notify_on_recovery: true })).not.toBeNull();
    });

    it('always shows all_down, even with both flags off', () => {
      const { policy } = setup();
      expect(policy.decide(notification('all_down'), BOTH_OFF)).not.toBeNull();
    });

    it('does not count an opted-out notification as a burst', () => {
      const { policy, clock } = setup();
      expect(policy.decide(notification('failover'), BOTH_OFF)).toBeNull();
      expect(policy.suppressedFor('backup')).toBe(0);
      clock.advance(1_000);
      expect(policy.decide(notification('recovery', { body: 'back' }), BOTH_ON)?.body).toBe('back');
    });
  });

  describe('coalescing bursts', () => {
    it('shows at most one notification per config per minute', () => {
      const { policy, clock } = setup();
      expect(policy.decide(notification('failover'), BOTH_ON)).not.toBeNull();
      clock.advance(10_000);
      expect(policy.decide(notification('recovery'), BOTH_ON)).toBeNull();
      clock.advance(COALESCE_WINDOW_MS - 10_001);
      expect(policy.decide(notification('failover'), BOTH_ON)).toBeNull();
      expect(policy.suppressedFor('backup')).toBe(2);
    });

    it('shows again once the minute has passed, summarising what was held back', () => {
      const { policy, clock } = setup();
      policy.decide(notification('failover'), BOTH_ON);
      clock.advance(5_000);
      policy.decide(notification('recovery'), BOTH_ON);
      clock.advance(5_000);
      policy.decide(notification('failover'), BOTH_ON);
      clock.advance(COALESCE_WINDOW_MS - 10_000);
      const spec = policy.decide(notification('recovery', { body: 'production → backup' }), BOTH_ON);
      expect(spec?.body).toBe('production → backup (+2 more)');
      expect(policy.suppressedFor('backup')).toBe(0);
    });

    it('measures the minute from the last one shown, not the last one held back', () => {
      const { policy, clock } = setup();
      policy.decide(notification('failover'), BOTH_ON);
      clock.advance(59_000);
      expect(policy.decide(notification('failover'), BOTH_ON)).toBeNull();
      clock.advance(1_000);
      expect(policy.decide(notification('failover'), BOTH_ON)).not.toBeNull();
    });

    it('starts a fresh minute after each one shown, without an old summary', () => {
      const { policy, clock } = setup();
      policy.decide(notification('failover'), BOTH_ON);
      clock.advance(1_000);
      policy.decide(notification('failover'), BOTH_ON);
      clock.advance(COALESCE_WINDOW_MS);
      expect(policy.decide(notification('failover', { body: 'b' }), BOTH_ON)?.body).toBe('b (+1 more)');
      clock.advance(30_000);
      expect(policy.decide(notification('failover'), BOTH_ON)).toBeNull();
      clock.advance(30_000);
      expect(policy.decide(notification('failover', { body: 'c' }), BOTH_ON)?.body).toBe('c (+1 more)');
      clock.advance(COALESCE_WINDOW_MS);
      expect(policy.decide(notification('failover', { body: 'd' }), BOTH_ON)?.body).toBe('d');
    });

    it('keeps separate windows for separate configs', () => {
      const { policy, clock } = setup();
      expect(policy.decide(notification('failover', { config: 'backup' }), BOTH_ON)).not.toBeNull();
      clock.advance(1_000);
      expect(policy.decide(notification('credential_rejected', { config: 'production' }), BOTH_ON)).not.toBeNull();
      expect(policy.decide(notification('recovery', { config: 'backup' }), BOTH_ON)).toBeNull();
    });

    it('coalesces notifications about no config together', () => {
      const { policy } = setup();
      expect(policy.decide(notification('flapping', { config: null }), BOTH_ON)).not.toBeNull();
      expect(policy.decide(notification('flapping', { config: null }), BOTH_ON)).toBeNull();
      expect(policy.suppressedFor(null)).toBe(1);
      expect(policy.decide(notification('flapping', { config: 'none' }), BOTH_ON)).not.toBeNull();
    });

    it('always shows all_down, even inside a burst about the same config', () => {
      const { policy, clock } = setup();
      policy.decide(notification('failover'), BOTH_ON);
      clock.advance(1_000);
      expect(policy.decide(notification('all_down', { body: 'down' }), BOTH_ON)?.body).toBe('down');
      clock.advance(1_000);
      expect(policy.decide(notification('all_down', { body: 'down again' }), BOTH_ON)?.body).toBe('down again');
    });

    it('leaves the per-config window alone when all_down is shown', () => {
      const { policy, clock } = setup();
      policy.decide(notification('all_down'), BOTH_ON);
      clock.advance(1_000);
      expect(policy.decide(notification('failover'), BOTH_ON)).not.toBeNull();
      expect(policy.suppressedFor('backup')).toBe(0);
    });

    it('never holds back a recovery_ready: the engine offers the switch back only once', () => {
      const { policy } = setup();
      policy.decide(notification('credential_rejected', { config: 'production' }), BOTH_ON);
      expect(policy.decide(notification('recovery_ready', { config: 'production' }), BOTH_ON)).toMatchObject({
        kind: 'recovery_ready',
        actions: [{ id: 'switch-back', label: 'Switch back' }],
      });
    });
  });
});
