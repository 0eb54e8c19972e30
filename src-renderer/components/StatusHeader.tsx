import { useEffect, useRef, useState } from 'react';
import { degradedReason, topRankedConfig } from '../../src-shared/contract/serving-state.js';
import type { EngineSnapshot, OverallState } from '../../src-shared/contract/snapshot.js';
import { useEngineClient, useEngineView } from '../client/engine-context.js';
import { DrillButton } from './DrillButton.js';
import { TIER_LABELS } from './PriorityBoard.js';
import { errorMessage } from './SwitchDialog.js';
import './board.css';

/** The header's colour state: the engine's overall state, or `stopped` while the daemon is unreachable. */
export type HeaderState = OverallState | 'stopped';


/** The state in a word or two, and a line saying why: the tray's four colours. */
function describeState(state: HeaderState, snapshot: EngineSnapshot | null): { label: string; detail: string } {
  switch (state) {
    case 'stopped':
      return { label: 'Stopped', detail: 'QCC is not reachable' };
    case 'ok':
      return { label: 'Healthy', detail: 'Top-priority config serving' };
    case 'degraded': {
      const active = snapshot?.active_config ?? null;
      if (snapshot === null || active === null) return { label: 'Degraded', detail: 'Some endpoints are ejected' };
      if (snapshot.drill) return { label: 'Failed over', detail: `Failover drill: serving from ${active}` };
      const top = topRankedConfig(snapshot)?.name ?? null;
      const reason = degradedReason(snapshot);
      if (reason === 'failed-over') return { label: 'Failed over', detail: `Serving from ${active} instead of ${top}` };
      if (reason === 'off-first-choice') {
        // Not an outage: the first choice is healthy (it was just moved up, a config is pinned, or recovery is waiting).
        return {
          label: 'Not on first choice',
          detail: snapshot.pinned
            ? `Pinned to ${active}; ${top} is first in priority`
            : snapshot.policy.auto_recovery_enabled
              ? `Serving from ${active}; returns to ${top} once it has been healthy for the recovery delay`
              : `Serving from ${active}; ${top} is first in priority (automatic recovery is off)`,
        };
      }
      return { label: 'Degraded', detail: 'Some endpoints are ejected' };
    }
    case 'all_down':
      return { label: 'All down', detail: 'No config can serve; still retrying' };
    case 'idle':
      return { label: 'Idle', detail: 'No config to serve' };
  }
}

type CopyState = 'idle' | 'copied' | 'unavailable';

/**
 * The one-glance status: overall state in the tray's colours, the proxy (running
 * or stopped, its URL with a copy button), the active config with its tier and
 * pin (with Unpin), and the failover drill.
 */
export function StatusHeader() {
  const { snapshot, connection } = useEngineView();
  const client = useEngineClient();
  const connected = connection === 'connected';
  const [copy, setCopy] = useState<CopyState>('idle');
  const [unpinError, setUnpinError] = useState<string | null>(null);
  const [unpinning, setUnpinning] = useState(false);
  const urlRef = useRef<HTMLElement>(null);
  // The host reports its proxy in the snapshot; while disconnected the store keeps the last one, URL included.
  const proxyUrl = snapshot?.proxy?.url ?? null;
  const proxyState = !connected ? 'stopped' : snapshot?.proxy?.paused ? 'paused' : snapshot?.proxy ? 'running' : 'not running';

  useEffect(() => {
    if (copy !== 'copied') return;
    const timer = setTimeout(() => setCopy('idle'), 2_000);
    return () => clearTimeout(timer);
  }, [copy]);

  const state: HeaderState = connected && snapshot ? snapshot.overall : 'stopped';
  const { label, detail } = describeState(state, snapshot);
  const active = snapshot?.active_config ?? null;
  const activeTier = active ? snapshot?.tiers.find((group) => group.configs.some((config) => config.name === active))?.tier : undefined;

  const copyUrl = async () => {
    if (!proxyUrl) return;
    try {
      if (!navigator.clipboard?.writeText) throw new Error('no clipboard');
      await navigator.clipboard.writeText(proxyUrl);
      setCopy('copied');
    } catch {
      // No clipboard (insecure context, permission): select the text so Ctrl+C works.
      if (urlRef.current) window.getSelection()?.selectAllChildren(urlRef.current);
      setCopy('unavailable');
    }
  };

  const unpin = async () => {
    setUnpinning(true);
    setUnpinError(null);
    try {
      await client.invoke('failover:unpin', {});
    } catch (failure) {
      setUnpinError(`Could not unpin: ${errorMessage(failure)}`);
    } finally {
      setUnpinning(false);
    }
  };

  return (
    <header className="qcc-header">
      <div className="qcc-header-brand">
        <h1>QCC</h1>
        <div className="qcc-overall" data-testid="overall-status" data-state={state} role="status">
          <span className={`qcc-overall-dot qcc-state-${state}`} aria-hidden="true" />
          <span className="qcc-overall-label">{label}</span>
          <span className="qcc-overall-detail muted" title={detail}>
            {detail}
          </span>
        </div>
      </div>

      <div className="qcc-header-item">
        <span className="qcc-header-caption">Proxy</span>
        <span className={proxyState === 'running' ? 'qcc-text-ok' : 'muted'} data-testid="proxy-state">
          {proxyState}
        </span>
        {proxyUrl ? (
          <>
            <code ref={urlRef} data-testid="proxy-url" className="qcc-proxy-url">
              {proxyUrl}
            </code>
            <button type="button" className="qcc-small" onClick={() => void copyUrl()} aria-label="Copy proxy URL">
              Copy
            </button>
          </>
        ) : (
          <span className="muted">URL unknown</span>
        )}
        <span className="qcc-copy-status" role="status">
          {copy === 'copied' && 'Copied'}
          {copy === 'unavailable' && 'Copy not available here — the URL is selected, press Ctrl+C'}
        </span>
      </div>

      <div className="qcc-header-item">
        <span className="qcc-header-caption">Active</span>
        {active ? (
          <>
            <strong data-testid="active-config">{active}</strong>
            {activeTier && <span className="qcc-badge">{TIER_LABELS[activeTier]}</span>}
          </>
        ) : (
          <span className="muted">none</span>
        )}
        {snapshot?.pinned && (
          <>
            <span className="qcc-badge qcc-badge-pinned" data-testid="pinned" title="Chosen by a manual switch: no automatic recovery away from it">
              Pinned
            </span>
            <button type="button" className="qcc-small" onClick={() => void unpin()} disabled={unpinning || !connected}>
              Unpin
            </button>
          </>
        )}
        {unpinError && (
          <span role="alert" className="qcc-error qcc-inline-error">
            {unpinError}
          </span>
        )}
      </div>

      <DrillButton />
    </header>
  );
}
