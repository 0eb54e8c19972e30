import { useRef, useState } from 'react';
import { useEngineClient, useEngineView } from '../client/engine-context.js';
import { formatDuration, useNow } from './EndpointHealth.js';
import { ConfirmDialog, errorMessage } from './SwitchDialog.js';
import './board.css';

/** How long the header's drill treats the active config as failed. */
export const DRILL_SECONDS = 30;

/**
 * "Run failover drill": after a confirmation, treats the active config as
 * failed for 30 s so the user can watch traffic fail over and come back. Shows
 * a countdown while the engine reports the drill, and the engine's refusal
 * (e.g. nothing to fail over to) inline.
 */
export function DrillButton() {
  const client = useEngineClient();
  const { snapshot, connection } = useEngineView();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const button = useRef<HTMLButtonElement>(null);
  // A stale snapshot's drill (daemon unreachable) would count down to nothing.
  const drill = connection === 'connected' ? (snapshot?.drill ?? null) : null;
  const now = useNow(drill !== null);
  const active = snapshot?.active_config ?? null;
  // The engine says where a drill would go; with nowhere healthy to go it would refuse, so the button says why up front.
  const target = snapshot?.drill_target ?? null;
  const unavailable = drill === null && snapshot !== null && target === null ? 'No other healthy config to fail over to' : null;

  const start = async () => {
    setError(null);
    try {
      await client.invoke('failover:drill', { duration_s: DRILL_SECONDS });
    } catch (failure) {
      // Shown next to the button, not in the dialog: the dialog closes either way.
      setError(`Drill not started: ${errorMessage(failure)}`);
    }
  };

  return (
    <div className="qcc-drill">
      <button
        ref={button}
        type="button"
        onClick={() => {
          setError(null);
          setConfirming(true);
        }}
        disabled={drill !== null || connection !== 'connected' || snapshot === null || unavailable !== null}
        title={drill !== null ? 'A drill is running' : (unavailable ?? undefined)}
      >
        Run failover drill
      </button>
      {drill && (
        <span className="qcc-drill-status" role="status">
          Drill: <strong>{drill.config}</strong> treated as failed ·{' '}
          {drill.until > now ? `${formatDuration(drill.until - now)} left` : 'ending…'}
        </span>
      )}
      {error && (
        <span role="alert" className="qcc-error qcc-inline-error">
          {error}
        </span>
      )}
      {confirming && (
        <ConfirmDialog
          title="Run a failover drill?"
          message={
            <p>
              {active ? (
                <>
                  <strong>{active}</strong> is treated as failed for {DRILL_SECONDS} s: traffic moves to{' '}
                  {target ? <strong>{target}</strong> : 'the next config in priority order'}, then back. Both moves are recorded in the history.
                </>
              ) : (
                'There is no active config right now, so there is nothing to drill.'
              )}
            </p>
          }
          confirmLabel="Start drill"
          onConfirm={start}
          onClose={() => setConfirming(false)}
          returnFocus={() => button.current}
        />
      )}
    </div>
  );
}
