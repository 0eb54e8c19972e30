import { useEngineView } from '../client/engine-context.js';
import './board.css';

/** Tells the user the dashboard has lost the daemon (and is retrying); nothing while connected. */
export function ConnectionBanner() {
  const { connection, snapshot } = useEngineView();
  if (connection === 'connected') return null;
  // Before the first connection the main view already says "Connecting…"; the alarm is for a lost one.
  if (connection === 'connecting' && snapshot === null) return null;
  return (
    <div role="alert" className="qcc-banner">
      <strong>Disconnected from QCC — reconnecting…</strong>
      <span>The figures below may be out of date. If this lasts, check that the daemon is running (<code>qcc proxy status</code>).</span>
    </div>
  );
}
