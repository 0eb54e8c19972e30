// The tray as data: what the icon, tooltip and menu show for an engine state.
// Pure and Electron-free so it is tested in plain Node; the shell only renders it.
import { degradedReason } from '../../src-shared/contract/serving-state.js';
import type { ConfigView, EngineSnapshot, OverallState, TierView } from '../../src-shared/contract/snapshot.js';
import type { HealthStatus } from '../../src-shared/model/health.js';
import { SERVING_TIERS, type ServingTier, type Tier } from '../../src-shared/model/tier.js';

/** The tray icon's colour, as the dashboard's header. */
export type TrayIcon = 'green' | 'amber' | 'red' | 'grey';

/** What a menu item asks the shell to do; serializable, no callbacks. */
export type TrayAction =
  | { type: 'switch'; config: string }
  | { type: 'pin'; config: string }
  | { type: 'unpin' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'copy-proxy-url'; url: string }
  | { type: 'connect-claude' }
  | { type: 'disconnect-claude' }
  | { type: 'drill' }
  | { type: 'open-dashboard' }
  | { type: 'set-launch-at-login'; enabled: boolean }
  | { type: 'quit' };

/** One line of the tray menu. `checked` is set only on items the shell renders as radio items. */
export type TrayMenuItem =
  | { kind: 'item'; id: string; label: string; enabled: boolean; checked?: boolean; action: TrayAction | null }
  | { kind: 'checkbox'; id: string; label: string; enabled: boolean; checked: boolean; action: TrayAction }
  | { kind: 'submenu'; id: string; label: string; enabled: boolean; submenu: TrayMenuItem[] }
  | { kind: 'separator' };

export interface TrayModel {
  icon: TrayIcon;
  /** At most {@link TOOLTIP_MAX_LENGTH} UTF-16 units. */
  tooltip: string;
  menu: TrayMenuItem[];
}

export interface TrayInput {
  /** The engine's latest snapshot; null until the engine has answered. */
  snapshot: EngineSnapshot | null;
  proxyRunning: boolean;
  proxyPaused: boolean;
  /** The local proxy's URL (never an upstream URL); null while unknown. */
  proxyUrl: string | null;
  /** Whether Claude Code's settings point at the proxy. */
  claudeConnected: boolean;
  /** Whether QCC starts at login; null where the platform offers no way to (the item is left out). */
  launchAtLogin: boolean | null;
}

/** Windows truncates tray tooltips beyond 127 characters (128 with the NUL). */
export const TOOLTIP_MAX_LENGTH = 127;

const TIER_LABELS: Record<Tier, string> = {
  primary: 'Primary',
  secondary: 'Secondary',
  fallback: 'Fallback',
  disabled: 'Disabled',
};

const OVERALL_ICONS: Record<OverallState, TrayIcon> = {
  ok: 'green',
  degraded: 'amber',
  all_down: 'red',
  idle: 'grey',
};

/** A health dot per config; shapes rather than colour so they read in every menu font. */
export const HEALTH_DOTS: Record<HealthStatus, string> = {
  healthy: '●',
  degraded: '◐',
  unhealthy: '○',
  unknown: '◌',
};

const HEALTH_WORDS: Record<HealthStatus, string> = {
  healthy: 'healthy',
  degraded: 'degraded',
  unhealthy: 'down',
  unknown: 'not checked yet',
};

/** Maps the engine state and the proxy's state to what the tray shows. */
export function trayModel(input: TrayInput): TrayModel {
  return { icon: trayIcon(input), tooltip: trayTooltip(input), menu: trayMenu(input) };
}

/** Grey whenever traffic is not flowing through QCC (no engine, proxy stopped or paused), else the engine's colour. */
export function trayIcon({ snapshot, proxyRunning, proxyPaused }: TrayInput): TrayIcon {
  if (snapshot === null || !proxyRunning || proxyPaused) return 'grey';
  return OVERALL_ICONS[snapshot.overall];
}

/** One line: state, active config and tier, endpoints healthy; never an upstream URL or key. */
export function trayTooltip({ snapshot, proxyRunning, proxyPaused }: TrayInput): string {
  if (!proxyRunning) return clip('QCC — proxy stopped');
  if (snapshot === null) return clip('QCC — waiting for the engine');
  const parts: string[] = [];
  if (proxyPaused) parts.push('proxy paused');
  if (snapshot.overall === 'idle') parts.push('no configs to serve');
  if (snapshot.overall === 'all_down') parts.push('all configs down');
  if (snapshot.drill !== null) parts.push('failover drill');
  const active = findConfig(snapshot, snapshot.active_config);
  if (active !== null) {
    const tier = snapshot.pinned ? `${active.tier}, pinned` : active.tier;
    const { healthy_endpoints, total_endpoints } = active.health;
    parts.push(`${active.name} (${tier})`, `${healthy_endpoints}/${total_endpoints} endpoints healthy`);
  } else if (snapshot.overall !== 'idle') {
    parts.push('no active config');
  }
  return clip(`QCC — ${parts.join(' · ')}`);
}

/** The menu, top to bottom: status, active config, switch, pin, proxy, Claude Code, drill, dashboard, quit. */
export function trayMenu(input: TrayInput): TrayMenuItem[] {
  const { snapshot, proxyRunning, proxyPaused, proxyUrl, claudeConnected } = input;
  const active = snapshot === null ? null : findConfig(snapshot, snapshot.active_config);
  const separator: TrayMenuItem = { kind: 'separator' };

  const menu: TrayMenuItem[] = [
    info('status', statusLine(input)),
    info('active', active === null ? 'Active: none' : `Active: ${active.name} (${active.tier}${snapshot?.pinned ? ', pinned' : ''})`),
    switchSubmenu(snapshot),
    pinItem(snapshot, active),
    separator,
    proxyPaused
      ? item('proxy', 'Resume proxy', proxyRunning, { type: 'resume' })
      : item('proxy', 'Pause proxy', proxyRunning, { type: 'pause' }),
    proxyUrl === null
      ? item('copy-proxy-url', 'Copy proxy URL', false, null)
      : item('copy-proxy-url', 'Copy proxy URL', true, { type: 'copy-proxy-url', url: proxyUrl }),
    claudeConnected
      ? item('claude', 'Disconnect Claude Code', true, { type: 'disconnect-claude' })
      : item('claude', 'Connect Claude Code', proxyRunning && proxyUrl !== null, { type: 'connect-claude' }),
    separator,
    drillItem(snapshot),
    item('dashboard', 'Open dashboard', true, { type: 'open-dashboard' }),
    ...launchAtLoginItem(input.launchAtLogin),
    separator,
    item('quit', 'Quit QCC', true, { type: 'quit' }),
  ];
  return menu;
}

function launchAtLoginItem(launchAtLogin: boolean | null): TrayMenuItem[] {
  if (launchAtLogin === null) return [];
  return [{ kind: 'checkbox', id: 'launch-at-login', label: 'Start QCC at login', enabled: true, checked: launchAtLogin, action: { type: 'set-launch-at-login', enabled: !launchAtLogin } }];
}

const DEGRADED_WORDS = { 'failed-over': '◐ Failed over', 'off-first-choice': '◐ Not on first choice', degraded: '◐ Degraded' } as const;

function statusLine({ snapshot, proxyRunning, proxyPaused }: TrayInput): string {
  if (!proxyRunning) return 'Proxy stopped';
  if (snapshot === null) return 'Waiting for the engine…';
  if (proxyPaused) return 'Proxy paused';
  switch (snapshot.overall) {
    case 'ok':
      return '● Healthy';
    case 'degraded':
      return DEGRADED_WORDS[degradedReason(snapshot)];
    case 'all_down':
      return '○ All configs down — still retrying';
    case 'idle':
      return 'Idle — no config to serve';
  }
}

function switchSubmenu(snapshot: EngineSnapshot | null): TrayMenuItem {
  const groups = snapshot === null ? [] : servingGroups(snapshot);
  const submenu: TrayMenuItem[] = [];
  for (const group of groups) {
    if (submenu.length > 0) submenu.push({ kind: 'separator' });
    submenu.push(info(`tier:${group.tier}`, group.enabled ? TIER_LABELS[group.tier] : `${TIER_LABELS[group.tier]} (turned off)`));
    for (const config of group.configs) submenu.push(switchItem(snapshot as EngineSnapshot, group, config));
  }
  if (submenu.length === 0) {
    return { kind: 'submenu', id: 'switch', label: 'Switch to', enabled: false, submenu: [info('switch:none', 'No configs')] };
  }
  return { kind: 'submenu', id: 'switch', label: 'Switch to', enabled: true, submenu };
}

function switchItem(snapshot: EngineSnapshot, group: TierView, config: ConfigView): TrayMenuItem {
  const isActive = config.name === snapshot.active_config;
  const notes: string[] = [];
  if (config.health.status !== 'healthy') notes.push(HEALTH_WORDS[config.health.status]);
  if (snapshot.drill?.config === config.name) notes.push('in a drill');
  const label = `${HEALTH_DOTS[config.health.status]} ${config.name}${notes.length > 0 ? ` — ${notes.join(', ')}` : ''}`;
  // The engine says which switches it would refuse (e.g. to an unhealthy config while auto-failover is on); greying them out beats an error dialog.
  const enabled = !isActive && group.enabled && config.switch_refusal === null;
  return { kind: 'item', id: `switch:${config.name}`, label, enabled, checked: isActive, action: { type: 'switch', config: config.name } };
}

function pinItem(snapshot: EngineSnapshot | null, active: ConfigView | null): TrayMenuItem {
  if (snapshot?.pinned) return item('pin', active === null ? 'Unpin' : `Unpin ${active.name}`, true, { type: 'unpin' });
  if (active === null) return item('pin', 'Pin active config', false, null);
  // Pinning is a manual switch to the config already active (failover:switch).
  return item('pin', `Pin ${active.name}`, true, { type: 'pin', config: active.name });
}

function drillItem(snapshot: EngineSnapshot | null): TrayMenuItem {
  if (snapshot?.drill) return item('drill', `Failover drill running (${snapshot.drill.config})`, false, null);
  return item('drill', 'Run failover drill', (snapshot?.drill_target ?? null) !== null, { type: 'drill' });
}

/** Serving tiers in failover order, empty ones left out; the `disabled` tier never appears. */
function servingGroups(snapshot: EngineSnapshot): Array<TierView & { tier: ServingTier }> {
  const groups: Array<TierView & { tier: ServingTier }> = [];
  for (const tier of SERVING_TIERS) {
    const group = snapshot.tiers.find((entry) => entry.tier === tier);
    if (group !== undefined && group.configs.length > 0) groups.push({ ...group, tier });
  }
  return groups;
}

function findConfig(snapshot: EngineSnapshot, name: string | null): ConfigView | null {
  if (name === null) return null;
  for (const tier of snapshot.tiers) {
    const config = tier.configs.find((entry) => entry.name === name);
    if (config !== undefined) return config;
  }
  return null;
}

function item(id: string, label: string, enabled: boolean, action: TrayAction | null): TrayMenuItem {
  return { kind: 'item', id, label, enabled: enabled && action !== null, action };
}

function info(id: string, label: string): TrayMenuItem {
  return { kind: 'item', id, label, enabled: false, action: null };
}

function clip(text: string): string {
  return text.length <= TOOLTIP_MAX_LENGTH ? text : `${text.slice(0, TOOLTIP_MAX_LENGTH - 1)}…`;
}
