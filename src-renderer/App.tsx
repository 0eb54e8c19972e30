import { ConfigEditor } from './components/ConfigEditor.js';
import { ConnectionBanner } from './components/ConnectionBanner.js';
import { EmptyState } from './components/EmptyState.js';
import { HistoryPanel } from './components/HistoryPanel.js';
import { PolicyEditor } from './components/PolicyEditor.js';
import { PriorityBoard } from './components/PriorityBoard.js';
import { ProblemsBanner } from './components/ProblemsBanner.js';
import { StatusHeader } from './components/StatusHeader.js';
import { useEngineView } from './client/engine-context.js';

/** The main view: status, priority groups with health, history, policy. */
export function App() {
  const { snapshot } = useEngineView();
  const empty = snapshot !== null && snapshot.tiers.every((group) => group.configs.length === 0);
  return (
    <div className="app">
      <ConnectionBanner />
      <StatusHeader />
      <ProblemsBanner />
      <main className="layout">
        {snapshot === null ? (
          <p className="loading" role="status">
            Connecting to QCC…
          </p>
        ) : empty ? (
          <EmptyState />
        ) : (
          <>
            <PriorityBoard />
            <div className="side">
              <HistoryPanel />
              <PolicyEditor />
            </div>
          </>
        )}
      </main>
      <ConfigEditor />
    </div>
  );
}
