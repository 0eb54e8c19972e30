import { describe, expect, it } from 'vitest';
import type { ConfigView, EngineSnapshot, OverallState, TierView } from '../../src-shared/contract/snapshot.js';
import type { HealthStatus } from '../../src-shared/model/health.js';
import { DEFAULT_POLICY } from '../../src-shared/model/policy.js';
import type { Tier } from '../../src-shared/model/tier.js';
import { TOOLTIP_MAX_LENGTH, trayModel, type TrayInput, type TrayMenuItem } from './tray-model.js';

// --- a small snapshot factory: plain objects, only what the tray reads is meaningful ---

interface ConfigSpec {
  name: string;
  tier: Tier;
  status?: HealthStatus;
  healthy?: number;
  total?: number;
  /** What the engine would say to a manual switch here; default none. */
  refusal?: string;
}

function config({ name, tier, status = 'healthy', healthy, total = 2, refusal }: ConfigSpec, position: number, active: boolean): ConfigView {
  const healthyEndpoints = healthy ?? (status === 'healthy' ? total : status === 'degraded' ? Math.max(1, total - 1) : 0);
  return {
    name,
    description: '',
    tier,
    position,
    active,
    message_probe: null,
    endpoints: [],
    health: {
      config_name: name,
      status,
      healthy_endpoints: healthyEndpoints,
      total_endpoints: total,
      consecutive_failures: 0,
      consecutive_successes: 0,
      last_check: null,
      last_failure: null,
      last_success: null,
      health_percentage: total === 0 ? 0 : (healthyEndpoints / total) * 100,
      is_healthy: healthyEndpoints > 0,
      is_fully_healthy: total > 0 && healthyEndpoints === total,
    },
    switch_refusal: refusal ?? null,
  };
}

function snapshot(options: {
  configs?: ConfigSpec[];
  active?: string | null;
  overall?: OverallState;
  pinned?: boolean;
  tierOff?: Tier[];
  drill?: EngineSnapshot['drill'];
  /** Where the engine says a drill would go; default the first other config, none while a drill runs. */
  drillTarget?: string | null;
  autoFailover?: boolean;
} = {}): EngineSnapshot {
  const configs = options.configs ?? [
    { name: 'production', tier: 'primary' },
    { name: 'backup', tier: 'secondary' },
  ];
  const active = options.active === undefined ? (configs[0]?.name ?? null) : options.active;
  const tierOff = options.tierOff ?? [];
  const tiers: TierView[] = (['primary', 'secondary', 'fallback', 'disabled'] as const).map((tier) => ({
    tier,
    enabled: tier !== 'disabled' && !tierOff.includes(tier),
    configs: configs.filter((c) => c.tier === tier).map((c, index) => config(c, index, c.name === active)),
  }));
  return {
    revision: 1,
    active_config: active,
    pinned: options.pinned ?? false,
    overall: options.overall ?? (configs.length === 0 ? 'idle' : 'ok'),
    policy: { ...DEFAULT_POLICY, auto_failover_enabled: options.autoFailover ?? true },
    tiers,
    problems: [],
    tier_enabled: { primary: !tierOff.includes('primary'), secondary: !tierOff.includes('secondary'), fallback: !tierOff.includes('fallback') },
    drill: options.drill ?? null,
    drill_target: options.drillTarget !== undefined ? options.drillTarget : options.drill ? null : (configs.find((c) => c.name !== active)?.name ?? null),
    proxy: null,
  };
}

function input(overrides: Partial<TrayInput> = {}): TrayInput {
  return {
    snapshot: snapshot(),
    proxyRunning: true,
    proxyPaused: false,
    proxyUrl: 'http://127.0.0.1:8787',
    claudeConnected: false,
    launchAtLogin: false,
    ...overrides,
  };
}

type Item = Extract<TrayMenuItem, { kind: 'item' }>;
type Submenu = Extract<TrayMenuItem, { kind: 'submenu' }>;

function find(menu: TrayMenuItem[], id: string): Item {
  const found = menu.find((entry) => entry.kind === 'item' && entry.id === id);
  if (found?.kind !== 'item') throw new Error(`no menu item "${id}"`);
  return found;
}

function switchMenu(menu: TrayMenuItem[]): Submenu {
  const found = menu.find((entry) => entry.kind === 'submenu' && entry.id === 'switch');
  if (found?.kind !== 'submenu') throw new Error('no "Switch to" submenu');
  return found;
}

function switchItems(menu: TrayMenuItem[]): Item[] {
  return switchMenu(menu).submenu.filter((entry): entry is Item => entry.kind === 'item' && entry.action?.type === 'switch');
}

// --- icon ---

describe('tray icon', () => {
  it.each([
    ['ok', 'green'],
    ['degraded', 'amber'],
    ['all_down', 'red'],
    ['idle', 'grey'],
  ] as const)('shows the engine state %s as %s', (overall, icon) => {
    expect(trayModel(input({ snapshot: snapshot({ overall }) })).icon).toBe(icon);
  });

  it('is grey while the engine has not answered yet', () => {
    expect(trayModel(input({ snapshot: null })).icon).toBe('grey');
  });

  it('is grey while the proxy is stopped, whatever the engine says', () => {
    expect(trayModel(input({ proxyRunning: false, snapshot: snapshot({ overall: 'all_down' }) })).icon).toBe('grey');
  });

  it('is grey while the proxy is paused', () => {
    expect(trayModel(input({ proxyPaused: true })).icon).toBe('grey');
  });
});

// --- tooltip ---

describe('tray tooltip', () => {
  it('names the active config, its tier and how many endpoints are healthy', () => {
    const model = trayModel(input({ snapshot: snapshot({ configs: [{ name: 'production', tier: 'primary', status: 'degraded', healthy: 1, total: 2 }] }) }));
    expect(model.tooltip).toBe('QCC — production (primary) · 1/2 endpoints healthy');
  });

  it('says when the proxy is stopped', () => {
    expect(trayModel(input({ proxyRunning: false })).tooltip).toBe('QCC — proxy stopped');
  });

  it('says when it is waiting for the engine', () => {
    expect(trayModel(input({ snapshot: null })).tooltip).toBe('QCC — waiting for the engine');
  });

  it('says the proxy is paused but still names the active config', () => {
    expect(trayModel(input({ proxyPaused: true })).tooltip).toBe('QCC — proxy paused · production (primary) · 2/2 endpoints healthy');
  });

  it('leads with "all configs down" when nothing can serve', () => {
    const snap = snapshot({ overall: 'all_down', configs: [{ name: 'production', tier: 'primary', status: 'unhealthy' }] });
    expect(trayModel(input({ snapshot: snap })).tooltip).toBe('QCC — all configs down · production (primary) · 0/2 endpoints healthy');
  });

  it('mentions a pin and a running drill', () => {
    const snap = snapshot({ active: 'backup', pinned: true, overall: 'degraded', drill: { config: 'production', until: 1 } });
    expect(trayModel(input({ snapshot: snap })).tooltip).toBe('QCC — failover drill · backup (secondary, pinned) · 2/2 endpoints healthy');
  });

  it('says there is nothing to serve when idle', () => {
    expect(trayModel(input({ snapshot: snapshot({ configs: [], overall: 'idle' }) })).tooltip).toBe('QCC — no configs to serve');
  });

  it('never exceeds the Windows tooltip limit, even with long config names', () => {
    const name = 'a'.repeat(64);
    const snap = snapshot({ configs: [{ name, tier: 'fallback', status: 'unhealthy' }], overall: 'all_down', pinned: true, drill: { config: name, until: 1 } });
    const tooltip = trayModel(input({ snapshot: snap, proxyPaused: true })).tooltip;
    expect(tooltip.length).toBeLessThanOrEqual(TOOLTIP_MAX_LENGTH);
    expect(tooltip.endsWith('…')).toBe(true);
  });

  it('never shows an upstream URL or key, in the tooltip or the menu', () => {
    const snap = snapshot();
    for (const tier of snap.tiers) {
      for (const c of tier.configs) {
        c.endpoints = [{ id: 'ep-1', base_url: 'https://upstream.example.com', key_hint: 'sk-…a1b2' } as ConfigView['endpoints'][number]];
      }
    }
    const text = JSON.stringify(trayModel(input({ snapshot: snap })));
    expect(text).not.toContain('upstream.example.com');
    expect(text).not.toContain('a1b2');
  });
});

// --- menu ---

describe('tray menu', () => {
  it('has the items in the order the issue lists them', () => {
    const ids = trayModel(input()).menu.map((entry) => (entry.kind === 'separator' ? '-' : entry.id));
    expect(ids).toEqual(['status', 'active', 'switch', 'pin', '-', 'proxy', 'copy-proxy-url', 'claude', '-', 'drill', 'dashboard', 'launch-at-login', '-', 'quit']);
  });

  it('offers "Start QCC at login" as a checkbox that flips the current setting', () => {
    const off = trayModel(input({ launchAtLogin: false })).menu.find((entry) => entry.kind === 'checkbox');
    expect(off).toMatchObject({ id: 'launch-at-login', checked: false, enabled: true, action: { type: 'set-launch-at-login', enabled: true } });
    const on = trayModel(input({ launchAtLogin: true })).menu.find((entry) => entry.kind === 'checkbox');
    expect(on).toMatchObject({ checked: true, action: { type: 'set-launch-at-login', enabled: false } });
  });

  it('leaves "Start QCC at login" out where the platform cannot do it', () => {
    const ids = trayModel(input({ launchAtLogin: null })).menu.map((entry) => (entry.kind === 'separator' ? '-' : entry.id));
    expect(ids).not.toContain('launch-at-login');
  });

  it('opens with a status line that cannot be clicked', () => {
    const status = find(trayModel(input({ snapshot: snapshot({ overall: 'all_down' }) })).menu, 'status');
    expect(status.label).toContain('All configs down');
    expect(status.enabled).toBe(false);
    expect(status.action).toBeNull();
  });

  it('calls a switch to a lower tier "Failed over" only while the first choice is not healthy, and partial health "Degraded"', () => {
    const down: ConfigSpec[] = [{ name: 'production', tier: 'primary', status: 'unhealthy' }, { name: 'backup', tier: 'secondary' }];
    const failedOver = trayModel(input({ snapshot: snapshot({ configs: down, overall: 'degraded', active: 'backup' }) })).menu;
    expect(find(failedOver, 'status').label).toContain('Failed over');
    // A healthy first choice not serving (just moved to the top, a pin, the recovery delay) is no outage.
    const reordered = trayModel(input({ snapshot: snapshot({ overall: 'degraded', active: 'backup' }) })).menu;
    expect(find(reordered, 'status').label).toBe('◐ Not on first choice');
    const degraded = trayModel(input({ snapshot: snapshot({ overall: 'degraded', active: 'production' }) })).menu;
    expect(find(degraded, 'status').label).toContain('Degraded');
  });

  it('shows the active config with its tier', () => {
    expect(find(trayModel(input()).menu, 'active').label).toBe('Active: production (primary)');
    expect(find(trayModel(input({ snapshot: snapshot({ configs: [], overall: 'idle' }) })).menu, 'active').label).toBe('Active: none');
  });

  describe('"Switch to"', () => {
    const configs: ConfigSpec[] = [
      { name: 'production', tier: 'primary' },
      { name: 'production-eu', tier: 'primary', status: 'degraded' },
      { name: 'backup', tier: 'secondary', status: 'unknown' },
      { name: 'last-resort', tier: 'fallback', status: 'unhealthy' },
      { name: 'retired', tier: 'disabled' },
    ];

    it('groups configs by serving tier, in failover order, with a header per tier', () => {
      const submenu = switchMenu(trayModel(input({ snapshot: snapshot({ configs }) })).menu).submenu;
      const labels = submenu.map((entry) => (entry.kind === 'separator' ? '-' : entry.label));
      expect(labels).toEqual([
        'Primary',
        '● production',
        '◐ production-eu — degraded',
        '-',
        'Secondary',
        '◌ backup — not checked yet',
        '-',
        'Fallback',
        '○ last-resort — down',
      ]);
    });

    it('leaves out the disabled tier: those configs never serve', () => {
      const items = switchItems(trayModel(input({ snapshot: snapshot({ configs }) })).menu);
      expect(items.map((entry) => entry.id)).not.toContain('switch:retired');
    });

    it('checks the active config and does not offer switching to it', () => {
      const items = switchItems(trayModel(input({ snapshot: snapshot({ configs, active: 'production-eu' }) })).menu);
      const active = items.find((entry) => entry.id === 'switch:production-eu');
      expect(active).toMatchObject({ checked: true, enabled: false });
      expect(items.filter((entry) => entry.checked)).toHaveLength(1);
    });

    it('offers the other serving configs as switch actions', () => {
      const items = switchItems(trayModel(input({ snapshot: snapshot({ configs }) })).menu);
      expect(items.find((entry) => entry.id === 'switch:backup')).toMatchObject({ enabled: true, checked: false, action: { type: 'switch', config: 'backup' } });
    });

    it('shows a turned-off tier greyed out', () => {
      const submenu = switchMenu(trayModel(input({ snapshot: snapshot({ configs, tierOff: ['secondary'] }) })).menu).submenu;
      expect(submenu.some((entry) => entry.kind === 'item' && entry.label === 'Secondary (turned off)')).toBe(true);
      expect(switchItems(trayModel(input({ snapshot: snapshot({ configs, tierOff: ['secondary'] }) })).menu).find((e) => e.id === 'switch:backup')?.enabled).toBe(false);
    });

    it('greys out a config the engine says it would refuse to switch to', () => {
      const refused = configs.map((c) => (c.name === 'last-resort' ? { ...c, refusal: 'config "last-resort" is unhealthy' } : c));
      expect(switchItems(trayModel(input({ snapshot: snapshot({ configs: refused }) })).menu).find((entry) => entry.id === 'switch:last-resort')?.enabled).toBe(false);
      expect(switchItems(trayModel(input({ snapshot: snapshot({ configs }) })).menu).find((entry) => entry.id === 'switch:last-resort')?.enabled).toBe(true);
    });

    it('marks the config under a failover drill', () => {
      const snap = snapshot({ active: 'backup', drill: { config: 'production', until: 1 } });
      const items = switchItems(trayModel(input({ snapshot: snap })).menu);
      expect(items.find((entry) => entry.id === 'switch:production')?.label).toBe('● production — in a drill');
    });

    it('is disabled with a placeholder when there are no configs or no engine yet', () => {
      for (const snap of [snapshot({ configs: [], overall: 'idle' }), null]) {
        const submenu = switchMenu(trayModel(input({ snapshot: snap })).menu);
        expect(submenu.enabled).toBe(false);
        expect(submenu.submenu).toEqual([{ kind: 'item', id: 'switch:none', label: 'No configs', enabled: false, action: null }]);
      }
    });
  });

  describe('pin / unpin', () => {
    it('offers to pin the active config when it is not pinned', () => {
      expect(find(trayModel(input()).menu, 'pin')).toMatchObject({ label: 'Pin production', enabled: true, action: { type: 'pin', config: 'production' } });
    });

    it('offers to unpin when pinned', () => {
      expect(find(trayModel(input({ snapshot: snapshot({ pinned: true }) })).menu, 'pin')).toMatchObject({ label: 'Unpin production', enabled: true, action: { type: 'unpin' } });
    });

    it('is disabled with no active config', () => {
      expect(find(trayModel(input({ snapshot: snapshot({ configs: [], overall: 'idle' }) })).menu, 'pin').enabled).toBe(false);
    });
  });

  describe('proxy', () => {
    it('offers Pause while running and Resume while paused', () => {
      expect(find(trayModel(input()).menu, 'proxy')).toMatchObject({ label: 'Pause proxy', enabled: true, action: { type: 'pause' } });
      expect(find(trayModel(input({ proxyPaused: true })).menu, 'proxy')).toMatchObject({ label: 'Resume proxy', enabled: true, action: { type: 'resume' } });
    });

    it('cannot pause a stopped proxy', () => {
      expect(find(trayModel(input({ proxyRunning: false })).menu, 'proxy').enabled).toBe(false);
    });

    it('copies the proxy URL, and is disabled while the URL is unknown', () => {
      expect(find(trayModel(input()).menu, 'copy-proxy-url')).toMatchObject({ enabled: true, action: { type: 'copy-proxy-url', url: 'http://127.0.0.1:8787' } });
      expect(find(trayModel(input({ proxyUrl: null })).menu, 'copy-proxy-url').enabled).toBe(false);
    });
  });

  describe('Claude Code', () => {
    it('offers Connect when not connected and Disconnect when connected', () => {
      expect(find(trayModel(input()).menu, 'claude')).toMatchObject({ label: 'Connect Claude Code', enabled: true, action: { type: 'connect-claude' } });
      expect(find(trayModel(input({ claudeConnected: true })).menu, 'claude')).toMatchObject({ label: 'Disconnect Claude Code', enabled: true, action: { type: 'disconnect-claude' } });
    });

    it('cannot connect to a proxy that is not running', () => {
      expect(find(trayModel(input({ proxyRunning: false })).menu, 'claude').enabled).toBe(false);
      expect(find(trayModel(input({ proxyRunning: false, claudeConnected: true })).menu, 'claude').enabled).toBe(true);
    });
  });

  describe('failover drill', () => {
    it('is offered when another serving config can take the traffic', () => {
      expect(find(trayModel(input()).menu, 'drill')).toMatchObject({ label: 'Run failover drill', enabled: true, action: { type: 'drill' } });
    });

    it('is disabled when the engine says a drill has nowhere to go', () => {
      expect(find(trayModel(input({ snapshot: snapshot({ drillTarget: null }) })).menu, 'drill').enabled).toBe(false);
    });

    it('is disabled while a drill is running, and says so', () => {
      const item = find(trayModel(input({ snapshot: snapshot({ active: 'backup', drill: { config: 'production', until: 1 } }) })).menu, 'drill');
      expect(item.enabled).toBe(false);
      expect(item.label).toContain('running');
    });

    it('is disabled without an engine', () => {
      expect(find(trayModel(input({ snapshot: null })).menu, 'drill').enabled).toBe(false);
    });
  });

  it('always offers Open dashboard and Quit', () => {
    for (const overrides of [{}, { snapshot: null }, { proxyRunning: false }] satisfies Partial<TrayInput>[]) {
      const menu = trayModel(input(overrides)).menu;
      expect(find(menu, 'dashboard')).toMatchObject({ enabled: true, action: { type: 'open-dashboard' } });
      expect(find(menu, 'quit')).toMatchObject({ enabled: true, action: { type: 'quit' } });
    }
  });

  it('is plain serializable data', () => {
    const model = trayModel(input({ snapshot: snapshot({ drill: { config: 'production', until: 5 }, active: 'backup' }) }));
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
  });

  it('gives every enabled item an action', () => {
    const walk = (items: TrayMenuItem[]): Item[] =>
      items.flatMap((entry) => (entry.kind === 'item' ? [entry] : entry.kind === 'submenu' ? walk(entry.submenu) : []));
    const configs: ConfigSpec[] = [{ name: 'a', tier: 'primary' }, { name: 'b', tier: 'fallback' }];
    for (const entry of walk(trayModel(input({ snapshot: snapshot({ configs }) })).menu)) {
      if (entry.enabled) expect(entry.action).not.toBeNull();
    }
  });
});
