import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EngineError } from '../../src-shared/contract/errors.js';
import type { EndpointView, EngineSnapshot, OverallState } from '../../src-shared/contract/snapshot.js';
import type { EndpointHealth } from '../../src-shared/model/health.js';
import { TIERS, type Tier } from '../../src-shared/model/tier.js';
import { EngineProvider } from '../client/engine-context.js';
import { EngineStore } from '../client/engine-store.js';
import { FakeEngineClient } from '../testing/fake-engine-client.js';
import { configView, endpointView, engineSnapshot } from '../testing/snapshot-builders.js';
import { ConnectionBanner } from './ConnectionBanner.js';
import { PriorityBoard } from './PriorityBoard.js';
import { StatusHeader } from './StatusHeader.js';

// ---------------------------------------------------------------- fixtures

function endpoint(id: string, health: Partial<EndpointHealth> = {}): EndpointView {
  return endpointView(id, { health });
}

interface ConfigSpec {
  name: string;
  endpoints?: EndpointView[];
  percentage?: number;
  /** What the engine would say to a manual switch here. */
  switchRefusal?: string;
}

/** A snapshot with the given configs per tier; the first primary config is active unless `active` says otherwise. */
function snapshot(
  layout: Partial<Record<Tier, (string | ConfigSpec)[]>>,
  options: { revision?: number; active?: string | null; pinned?: boolean; overall?: OverallState; drill?: EngineSnapshot['drill']; drillTarget?: string | null; off?: Tier[]; proxy?: EngineSnapshot['proxy'] } = {},
): EngineSnapshot {
  const active = options.active === undefined ? (layout.primary?.[0] ?? null) : options.active;
  const activeName = typeof active === 'string' || active === null ? active : active.name;
  const configs = TIERS.flatMap((tier) =>
    (layout[tier] ?? []).map((entry, position) => {
      const spec = typeof entry === 'string' ? { name: entry } : entry;
      const endpoints = spec.endpoints ?? [endpoint(`ep-${spec.name}`)];
      return { ...configView(spec.name, tier, endpoints, { position, active: spec.name === activeName, percentage: spec.percentage }), switch_refusal: spec.switchRefusal ?? null };
    }),
  );
  return engineSnapshot(configs, {
    revision: options.revision ?? 1,
    active_config: activeName,
    pinned: options.pinned ?? false,
    overall: options.overall ?? 'ok',
    drill: options.drill ?? null,
    drill_target: options.drillTarget ?? null,
    off: options.off,
    proxy: options.proxy === undefined ? { url: 'http://127.0.0.1:8787', paused: false } : options.proxy,
  });
}

function setup(initial: EngineSnapshot | null, ui: 'board' | 'header' | 'all' = 'all') {
  const client = new FakeEngineClient('connected');
  const store = new EngineStore(client);
  store.start();
  if (initial) client.emit('state:changed', initial);
  const view = render(
    <EngineProvider client={client} store={store}>
      {ui !== 'board' && <ConnectionBanner />}
      {ui !== 'board' && <StatusHeader />}
      {ui !== 'header' && <PriorityBoard />}
    </EngineProvider>,
  );
  const push = (next: EngineSnapshot) => act(() => client.emit('state:changed', next));
  return { client, store, view, push };
}

const cardNames = (tier: string) =>
  within(within(screen.getByRole('region', { name: tier })).getByRole('list'))
    .queryAllByRole('listitem')
    .map((item) => item.getAttribute('aria-label'));

/** Lets the KeyboardSensor attach its document listener (it does so in a setTimeout). */
const tick = () => act(() => new Promise((resolve) => setTimeout(resolve, 0)));

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

// ---------------------------------------------------------------- board

describe('PriorityBoard', () => {
  const layout = { primary: ['production', 'production-eu'], secondary: ['backup'], fallback: ['emergency'] };

  it('lists each tier as a region with its cards in priority order', () => {
    setup(snapshot(layout), 'board');
    expect(cardNames('PRIMARY')).toEqual(['production', 'production-eu']);
    expect(cardNames('SECONDARY')).toEqual(['backup']);
    expect(cardNames('FALLBACK')).toEqual(['emergency']);
    expect(cardNames('DISABLED')).toEqual([]);
    // Endpoint rows are not listitems: a tier's listitems are its cards only.
    expect(within(screen.getByRole('region', { name: 'PRIMARY' })).getAllByRole('listitem')).toHaveLength(2);
  });

  it('marks the active config with a badge and data-active', () => {
    setup(snapshot(layout, { active: 'backup' }), 'board');
    const backup = screen.getByRole('listitem', { name: 'backup' });
    expect(backup.dataset.active).toBe('true');
    expect(within(backup).getByText('Active')).toBeTruthy();
    const production = screen.getByRole('listitem', { name: 'production' });
    expect(production.dataset.active).toBe('false');
    expect(within(production).queryByText('Active')).toBeNull();
  });

  it('says "off" on a tier that is turned off, and on the disabled tier', () => {
    setup(snapshot(layout, { off: ['fallback'] }), 'board');
    expect(within(screen.getByRole('region', { name: 'FALLBACK' })).getByText('off')).toBeTruthy();
    expect(within(screen.getByRole('region', { name: 'DISABLED' })).getByText('off')).toBeTruthy();
    expect(within(screen.getByRole('region', { name: 'PRIMARY' })).queryByText('off')).toBeNull();
  });

  it('gives every control an accessible name', () => {
    setup(snapshot(layout), 'board');
    for (const name of ['production', 'production-eu', 'backup', 'emergency']) {
      expect(screen.getByRole('button', { name: `Reorder ${name}` })).toBeTruthy();
      expect(screen.getByRole('button', { name: `Actions for ${name}` })).toBeTruthy();
      expect(screen.getByRole('meter', { name: `${name} health` })).toBeTruthy();
    }
    for (const button of screen.getAllByRole('button')) expect(button.getAttribute('aria-label') || button.textContent?.trim()).toBeTruthy();
  });

  it('shows config health as a meter with the seed percentage', () => {
    setup(snapshot({ primary: [{ name: 'production', endpoints: [endpoint('ep-a'), endpoint('ep-b')], percentage: 50 }] }), 'board');
    const meter = screen.getByRole('meter', { name: 'production health' });
    expect(meter.getAttribute('aria-valuenow')).toBe('50');
    expect(within(screen.getByRole('listitem', { name: 'production' })).getByText(/1\/2 endpoints · 50%/)).toBeTruthy();
  });

  it('shows each endpoint breaker in words, its key hint only, stats and a sparkline', () => {
    vi.useFakeTimers({ now: 100_000, toFake: ['Date'] });
    const ejected = endpoint('ep-down', {
      state: 'open',
      ejection_cause: 'rate_limited',
      ejected_until: 112_000,
      last_error: '429 Too Many Requests',
    });
    const fresh = endpoint('ep-new', { last_success: null });
    fresh.stats = { success_rate: null, latency_p50_ms: null, window: 0, samples: [], total: { successes: 0, failures: 0 } };
    const halfOpen = endpoint('ep-half', { state: 'half_open' });
    setup(snapshot({ primary: [{ name: 'production', endpoints: [endpoint('ep-ok'), ejected, fresh, halfOpen], percentage: 50 }] }), 'board');

    const ok = screen.getByTestId('endpoint-ep-ok');
    expect(ok.dataset.breaker).toBe('closed');
    expect(ok.textContent).toContain('healthy');
    expect(ok.textContent).toContain('95% ok');
    expect(ok.textContent).toContain('p50 320 ms');
    expect(ok.textContent).toContain('sk-…a1b2');
    expect(within(ok).getByRole('img', { name: 'Last 3 outcomes: 2 ok, 1 failed' })).toBeTruthy();
    expect(ok.querySelectorAll('rect.qcc-spark-ok')).toHaveLength(2);
    expect(ok.querySelectorAll('rect.qcc-spark-fail')).toHaveLength(1);

    const down = screen.getByTestId('endpoint-ep-down');
    expect(down.dataset.breaker).toBe('open');
    expect(down.textContent).toContain('ejected (rate limited) · 12 s left');
    expect(down.textContent).toContain('429 Too Many Requests');

    expect(screen.getByTestId('endpoint-ep-new').textContent).toContain('not checked');
    expect(screen.getByTestId('endpoint-ep-new').textContent).toContain('no traffic yet');
    expect(screen.getByTestId('endpoint-ep-half').dataset.breaker).toBe('half_open');
  });

  it('updates live when a new snapshot arrives', () => {
    const { push } = setup(snapshot(layout), 'board');
    push(snapshot({ ...layout, primary: ['production-eu', 'production'] }, { revision: 2, active: 'production-eu' }));
    expect(cardNames('PRIMARY')).toEqual(['production-eu', 'production']);
    expect(screen.getByRole('listitem', { name: 'production-eu' }).dataset.active).toBe('true');
  });

  describe('card menu', () => {
    it('opens a menu with focus on its first item; Escape closes it and returns focus', () => {
      setup(snapshot(layout), 'board');
      const button = screen.getByRole('button', { name: 'Actions for backup' });
      fireEvent.click(button);
      expect(button.getAttribute('aria-expanded')).toBe('true');
      const menu = screen.getByRole('menu');
      const items = within(menu).getAllByRole('menuitem');
      expect(items.map((item) => item.textContent)).toEqual(['Switch to', 'Edit', 'Delete']);
      expect(document.activeElement).toBe(items[0]);
      fireEvent.keyDown(menu, { key: 'ArrowDown' });
      expect(document.activeElement).toBe(items[1]);
      fireEvent.keyDown(menu, { key: 'ArrowUp' });
      fireEvent.keyDown(menu, { key: 'ArrowUp' });
      expect(document.activeElement).toBe(items[2]);
      fireEvent.keyDown(menu, { key: 'Escape' });
      expect(screen.queryByRole('menu')).toBeNull();
      expect(document.activeElement).toBe(button);
    });

    it('Switch to asks for a reason and sends failover:switch with it', async () => {
      const { client } = setup(snapshot(layout), 'board');
      client.handle('failover:switch', () => ({ switched: true, event: null }));
      fireEvent.click(screen.getByRole('button', { name: 'Actions for backup' }));
      fireEvent.click(screen.getByRole('menuitem', { name: 'Switch to' }));
      const dialog = screen.getByRole('dialog', { name: 'Switch to backup' });
      const reason = within(dialog).getByLabelText('Reason');
      expect(document.activeElement).toBe(reason);
      fireEvent.change(reason, { target: { value: 'provider maintenance' } });
      fireEvent.click(within(dialog).getByRole('button', { name: 'Switch' }));
      await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
      expect(client.callsOf('failover:switch')).toEqual([{ name: 'backup', reason: 'provider maintenance' }]);
      expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Actions for backup' }));
    });

    it('offers Switch to as unavailable, with the engine\'s reason, when the engine would refuse it', () => {
      setup(snapshot({ primary: ['production'], secondary: [{ name: 'backup', percentage: 0, switchRefusal: 'config "backup" is unhealthy' }] }), 'board');
      fireEvent.click(screen.getByRole('button', { name: 'Actions for backup' }));
      const item = screen.getByRole('menuitem', { name: 'Switch to' });
      expect(item.getAttribute('aria-disabled')).toBe('true');
      expect(item.title).toBe('config "backup" is unhealthy');
      fireEvent.click(item);
      expect(screen.queryByRole('dialog')).toBeNull();
    });

    it('keeps the switch dialog open with the engine error when the switch fails', async () => {
      const { client } = setup(snapshot(layout), 'board');
      client.handle('failover:switch', () => {
        throw new EngineError('failed_precondition', 'backup has no healthy endpoint');
      });
      fireEvent.click(screen.getByRole('button', { name: 'Actions for backup' }));
      fireEvent.click(screen.getByRole('menuitem', { name: 'Switch to' }));
      fireEvent.click(screen.getByRole('button', { name: 'Switch' }));
      const alert = await screen.findByRole('alert');
      expect(alert.textContent).toBe('backup has no healthy endpoint');
      expect(screen.getByRole('dialog', { name: 'Switch to backup' })).toBeTruthy();
      fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
      expect(screen.queryByRole('dialog')).toBeNull();
    });

    it('Edit raises qcc:edit-config on window with the name', () => {
      setup(snapshot(layout), 'board');
      const seen: unknown[] = [];
      const listener = (event: Event) => seen.push((event as CustomEvent).detail);
      window.addEventListener('qcc:edit-config', listener);
      fireEvent.click(screen.getByRole('button', { name: 'Actions for emergency' }));
      fireEvent.click(screen.getByRole('menuitem', { name: 'Edit' }));
      window.removeEventListener('qcc:edit-config', listener);
      expect(seen).toEqual([{ name: 'emergency' }]);
      expect(screen.queryByRole('menu')).toBeNull();
    });

    it('Delete asks first; Cancel sends nothing, Delete sends config:remove', async () => {
      const { client } = setup(snapshot(layout), 'board');
      client.handle('config:remove', ({ name }) => ({ removed: name }));
      const open = () => {
        fireEvent.click(screen.getByRole('button', { name: 'Actions for emergency' }));
        fireEvent.click(screen.getByRole('menuitem', { name: 'Delete' }));
        return screen.getByRole('alertdialog', { name: 'Delete emergency?' });
      };
      fireEvent.click(within(open()).getByRole('button', { name: 'Cancel' }));
      expect(screen.queryByRole('alertdialog')).toBeNull();
      expect(client.callsOf('config:remove')).toEqual([]);

      fireEvent.click(within(open()).getByRole('button', { name: 'Delete' }));
      await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
      expect(client.callsOf('config:remove')).toEqual([{ name: 'emergency' }]);
    });
  });

  describe('keyboard reordering', () => {
    /** Picks a card up by its handle, presses the arrows, drops it. */
    async function keyboardMove(name: string, keys: string[]) {
      const handle = screen.getByRole('button', { name: `Reorder ${name}` });
      handle.focus();
      fireEvent.keyDown(handle, { code: 'Space', key: ' ' });
      await tick();
      for (const code of keys) {
        fireEvent.keyDown(document, { code, key: code });
        await tick();
      }
      fireEvent.keyDown(document, { code: 'Space', key: ' ' });
      await tick();
    }

    it('moves a card down within its tier and shows the new order before the engine answers', async () => {
      const { client, push } = setup(snapshot({ primary: ['a', 'b', 'c'] }), 'board');
      let answer: (value: EngineSnapshot) => void = () => undefined;
      client.handle('priority:move', () => new Promise<EngineSnapshot>((resolve) => (answer = resolve)));
      await keyboardMove('a', ['ArrowDown']);
      expect(client.callsOf('priority:move')).toEqual([{ name: 'a', tier: 'primary', index: 1 }]);
      expect(cardNames('PRIMARY')).toEqual(['b', 'a', 'c']);
      const confirmed = snapshot({ primary: ['b', 'a', 'c'] }, { revision: 2, active: 'b' });
      await act(async () => answer(confirmed));
      push(confirmed);
      expect(cardNames('PRIMARY')).toEqual(['b', 'a', 'c']);
      // A later change by someone else is shown as it is: the confirmed move no longer overrides it.
      push(snapshot({ primary: ['c', 'b', 'a'] }, { revision: 3 }));
      expect(cardNames('PRIMARY')).toEqual(['c', 'b', 'a']);
    });

    it('walks down past the end of a tier into the next one, and right into an empty tier', async () => {
      const { client } = setup(snapshot({ primary: ['a', 'b'], secondary: ['s'] }), 'board');
      client.handle('priority:move', () => snapshot({ primary: ['b'], secondary: ['s', 'a'] }, { revision: 2 }));
      await keyboardMove('a', ['ArrowDown', 'ArrowDown', 'ArrowDown']);
      expect(client.callsOf('priority:move')).toEqual([{ name: 'a', tier: 'secondary', index: 1 }]);
      expect(cardNames('SECONDARY')).toEqual(['s', 'a']);

      await keyboardMove('b', ['ArrowRight', 'ArrowRight', 'ArrowRight']);
      expect(client.callsOf('priority:move')[1]).toEqual({ name: 'b', tier: 'disabled', index: 0 });
      expect(cardNames('DISABLED')).toEqual(['b']);
    });

    it('sends nothing when the card is dropped where it was, or the drag is cancelled', async () => {
      const { client } = setup(snapshot({ primary: ['a', 'b'] }), 'board');
      await keyboardMove('a', ['ArrowDown', 'ArrowUp']);
      const handle = screen.getByRole('button', { name: 'Reorder b' });
      handle.focus();
      fireEvent.keyDown(handle, { code: 'Space', key: ' ' });
      await tick();
      fireEvent.keyDown(document, { code: 'ArrowUp', key: 'ArrowUp' });
      await tick();
      fireEvent.keyDown(document, { code: 'Escape', key: 'Escape' });
      await tick();
      expect(client.callsOf('priority:move')).toEqual([]);
      expect(cardNames('PRIMARY')).toEqual(['a', 'b']);
    });

    it('rolls the order back and shows the error when the engine refuses the move', async () => {
      const { client } = setup(snapshot({ primary: ['a', 'b', 'c'] }), 'board');
      client.handle('priority:move', () => {
        throw new EngineError('storage_failed', 'settings could not be saved');
      });
      await keyboardMove('c', ['ArrowUp', 'ArrowUp']);
      expect(client.callsOf('priority:move')).toEqual([{ name: 'c', tier: 'primary', index: 0 }]);
      const alert = await screen.findByRole('alert');
      expect(alert.textContent).toContain('Could not move c: settings could not be saved');
      expect(cardNames('PRIMARY')).toEqual(['a', 'b', 'c']);
    });
  });
});

// ---------------------------------------------------------------- header and banner

describe('StatusHeader', () => {
  it.each([
    ['ok', 'Healthy'],
    ['degraded', 'Degraded'],
    ['all_down', 'All down'],
    ['idle', 'Idle'],
  ] as const)('shows overall %s as data-state with words', (overall, words) => {
    setup(snapshot({ primary: ['production'] }, { overall }), 'header');
    const status = screen.getByTestId('overall-status');
    expect(status.dataset.state).toBe(overall);
    expect(status.textContent).toContain(words);
  });

  it('says "failed over" when degraded because a lower config serves while the first choice is down', () => {
    setup(snapshot({ primary: [{ name: 'production', percentage: 0 }], secondary: ['backup'] }, { overall: 'degraded', active: 'backup' }), 'header');
    expect(screen.getByTestId('overall-status').textContent).toContain('Failed over');
    expect(screen.getByTestId('overall-status').textContent).toContain('Serving from backup instead of production');
  });

  it('says "not on first choice", not "failed over", when the first choice is healthy (e.g. just moved to the top)', () => {
    setup(snapshot({ primary: ['production'], secondary: ['backup'] }, { overall: 'degraded', active: 'backup' }), 'header');
    const status = screen.getByTestId('overall-status').textContent;
    expect(status).toContain('Not on first choice');
    expect(status).not.toContain('Failed over');
    expect(status).toContain('Serving from backup; production is first in priority (automatic recovery is off)'); // the default policy
  });

  it('shows the active config with its tier, and the proxy URL from /api/health with a copy button', async () => {
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    setup(snapshot({ primary: ['production'], secondary: ['backup'] }, { active: 'backup' }), 'header');
    expect(screen.getByTestId('active-config').textContent).toBe('backup');
    expect(screen.getByText('SECONDARY')).toBeTruthy();
    expect((await screen.findByTestId('proxy-url')).textContent).toBe('http://127.0.0.1:8787');
    fireEvent.click(screen.getByRole('button', { name: 'Copy proxy URL' }));
    await screen.findByText('Copied');
    expect(writeText).toHaveBeenCalledWith('http://127.0.0.1:8787');
  });

  it('says so when the clipboard is not available', async () => {
    Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });
    setup(snapshot({ primary: ['production'] }), 'header');
    fireEvent.click(await screen.findByRole('button', { name: 'Copy proxy URL' }));
    expect(await screen.findByText(/Copy not available/)).toBeTruthy();
  });

  it('shows the pin and unpins', async () => {
    const { client } = setup(snapshot({ primary: ['production'], secondary: ['backup'] }, { active: 'backup', pinned: true }), 'header');
    client.handle('failover:unpin', () => ({ pinned: false }));
    expect(screen.getByTestId('pinned')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Unpin' }));
    await waitFor(() => expect(client.callsOf('failover:unpin')).toEqual([{}]));
  });

  it('has no pin when not pinned', () => {
    setup(snapshot({ primary: ['production'] }), 'header');
    expect(screen.queryByTestId('pinned')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Unpin' })).toBeNull();
  });

  it('disconnected: grey "stopped" state and the banner; both clear on reconnect', () => {
    const { client } = setup(snapshot({ primary: ['production'] }), 'all');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByTestId('proxy-state').textContent).toBe('running');

    act(() => client.setConnection('disconnected'));
    expect(screen.getByTestId('overall-status').dataset.state).toBe('stopped');
    expect(screen.getByTestId('overall-status').textContent).toContain('Stopped');
    expect(screen.getByRole('alert').textContent).toContain('Disconnected from QCC — reconnecting…');
    expect(screen.getByTestId('proxy-state').textContent).toBe('stopped');
    // The last known URL stays, so it can still be copied into a terminal.
    expect(screen.getByTestId('proxy-url').textContent).toBe('http://127.0.0.1:8787');

    act(() => client.setConnection('connected'));
    // The daemon may come back on another port: the new snapshot's URL wins.
    act(() => client.emit('state:changed', snapshot({ primary: ['production'] }, { revision: 1, proxy: { url: 'http://127.0.0.1:9999', paused: false } })));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByTestId('overall-status').dataset.state).toBe('ok');
    expect(screen.getByTestId('proxy-url').textContent).toBe('http://127.0.0.1:9999');
  });

  it('shows a paused proxy, and "not running" when the host runs none', () => {
    const { push } = setup(snapshot({ primary: ['production'] }, { proxy: { url: 'http://127.0.0.1:8787', paused: true } }), 'header');
    expect(screen.getByTestId('proxy-state').textContent).toBe('paused');
    push(snapshot({ primary: ['production'] }, { revision: 2, proxy: null }));
    expect(screen.getByTestId('proxy-state').textContent).toBe('not running');
  });

  describe('failover drill', () => {
    it('confirms, then asks the engine for a 30 s drill', async () => {
      const { client } = setup(snapshot({ primary: ['production'], secondary: ['backup'] }, { drillTarget: 'backup' }), 'header');
      client.handle('failover:drill', () => ({ event: {} as never, until: 0 }));
      fireEvent.click(screen.getByRole('button', { name: 'Run failover drill' }));
      const dialog = screen.getByRole('alertdialog', { name: 'Run a failover drill?' });
      expect(dialog.textContent).toContain('production is treated as failed for 30 s: traffic moves to backup, then back');
      fireEvent.click(within(dialog).getByRole('button', { name: 'Start drill' }));
      await waitFor(() => expect(client.callsOf('failover:drill')).toEqual([{ duration_s: 30 }]));
      // The dialog closes once the engine has answered, a few ticks after the call.
      await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    });

    it('is unavailable, and says why, when the engine reports nowhere to fail over to', () => {
      setup(snapshot({ primary: ['production'] }, { drillTarget: null }), 'header');
      const button = screen.getByRole('button', { name: 'Run failover drill' }) as HTMLButtonElement;
      expect(button.disabled).toBe(true);
      expect(button.title).toBe('No other healthy config to fail over to');
    });

    it('shows why the engine refused (health changed after the snapshot)', async () => {
      const { client } = setup(snapshot({ primary: ['production'], secondary: ['backup'] }, { drillTarget: 'backup' }), 'header');
      client.handle('failover:drill', () => {
        throw new EngineError('failed_precondition', 'there is no other config to fail over to');
      });
      fireEvent.click(screen.getByRole('button', { name: 'Run failover drill' }));
      fireEvent.click(screen.getByRole('button', { name: 'Start drill' }));
      expect((await screen.findByRole('alert')).textContent).toBe('Drill not started: there is no other config to fail over to');
    });

    it('counts down while the snapshot reports a drill', () => {
      vi.useFakeTimers({ now: 50_000 });
      setup(snapshot({ primary: ['production'], secondary: ['backup'] }, { active: 'backup', drill: { config: 'production', until: 80_000 } }), 'header');
      expect(screen.getByText(/treated as failed · 30 s left/)).toBeTruthy();
      act(() => vi.advanceTimersByTime(5_000));
      expect(screen.getByText(/treated as failed · 25 s left/)).toBeTruthy();
      expect((screen.getByRole('button', { name: 'Run failover drill' }) as HTMLButtonElement).disabled).toBe(true);
      act(() => vi.advanceTimersByTime(26_000));
      expect(screen.getByText(/treated as failed · ending…/)).toBeTruthy();
    });

    it('shows no countdown from a stale snapshot while disconnected', () => {
      const { client } = setup(
        snapshot({ primary: ['production'], secondary: ['backup'] }, { active: 'backup', drill: { config: 'production', until: Date.now() + 30_000 } }),
        'header',
      );
      expect(screen.getByText(/treated as failed/)).toBeTruthy();
      act(() => client.setConnection('disconnected'));
      expect(screen.queryByText(/treated as failed/)).toBeNull();
    });
  });
});
