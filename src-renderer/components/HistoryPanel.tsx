import { useEffect, useId, useMemo, useRef, useState, type Ref } from 'react';
import { EVENT_TYPES, type FailoverEvent } from '../../src-shared/model/event.js';
import { useEngineView } from '../client/engine-context.js';
import { useLinkedEventId } from '../client/location-target.js';
import {
  ALL_HISTORY,
  EVENT_TYPE_LABELS,
  exportFileName,
  filterHistory,
  formatEventTime,
  historyConfigNames,
  historyToCsv,
  historyToJson,
  parseEventTypeFilter,
  type HistoryFilter,
} from './history-filter.js';
import './panels.css';

/** Hands the browser a file to save: Blob + object URL + a temporary `<a download>`. */
function download(fileName: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoke after the click has been handled; revoking at once can cancel the download in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

interface HistoryEntryProps {
  event: FailoverEvent;
  now: Date;
  /** The entry the address bar points at (`#event=<id>`): marked current and focusable. */
  itemRef?: Ref<HTMLLIElement>;
}

function HistoryEntry({ event, now, itemRef }: HistoryEntryProps) {
  const label = EVENT_TYPE_LABELS[event.event_type];
  const linked = itemRef !== undefined;
  return (
    <li
      ref={itemRef}
      className="history-entry"
      data-event-id={event.event_id}
      data-event-type={event.event_type}
      data-success={event.success}
      aria-current={linked ? 'true' : undefined}
      tabIndex={linked ? -1 : undefined}
    >
      <span className={`history-type history-type-${event.event_type}`}>
        {label}
        {!event.success && <span className="history-failed"> (failed)</span>}
      </span>
      <time className="history-time muted" dateTime={event.timestamp} title={event.timestamp}>
        {formatEventTime(event.timestamp, now)}
      </time>
      <span className="history-move">
        <span className="history-config">{event.from_config ?? '—'}</span>
        <span aria-hidden="true"> → </span>
        <span className="visually-hidden"> to </span>
        <span className="history-config">{event.to_config ?? '—'}</span>
      </span>
      {event.reason && <span className="history-reason">{event.reason}</span>}
    </li>
  );
}

/** The event history: newest first, filterable by type and config, exportable as JSON or CSV. */
export function HistoryPanel() {
  const { history, snapshot } = useEngineView();
  const [filter, setFilter] = useState<HistoryFilter>(ALL_HISTORY);
  const titleId = useId();
  const typeId = useId();
  const configId = useId();

  const currentNames = useMemo(
    () => snapshot?.tiers.flatMap((group) => group.configs.map((config) => config.name)) ?? [],
    [snapshot],
  );
  const configNames = useMemo(() => historyConfigNames(history, currentNames), [history, currentNames]);
  const shown = useMemo(() => filterHistory(history, filter), [history, filter]);
  const filtered = filter.eventType !== 'all' || filter.config !== 'all';
  const now = new Date();

  // A notification click lands on `#event=<id>`: show that entry, even if the
  // filters hid it, scroll to it and move focus there. Once per target, so the
  // user's later filtering is not undone by live updates.
  const linkedId = useLinkedEventId();
  const linkedRef = useRef<HTMLLIElement>(null);
  const revealed = useRef<string | null>(null);
  useEffect(() => {
    if (linkedId === null) {
      revealed.current = null;
      return;
    }
    if (revealed.current === linkedId) return;
    const target = history.find((entry) => entry.event_id === linkedId);
    if (!target) return; // not loaded yet: try again when the history arrives
    if (filterHistory([target], filter).length === 0) {
      setFilter(ALL_HISTORY);
      return; // runs again once the entry is rendered
    }
    const element = linkedRef.current;
    if (!element) return;
    revealed.current = linkedId;
    element.scrollIntoView?.({ block: 'center' });
    element.focus({ preventScroll: true });
  }, [linkedId, history, filter]);

  return (
    <section className="panel history-panel" aria-labelledby={titleId}>
      <div className="panel-head">
        <h2 id={titleId}>History</h2>
        <span className="muted history-count" aria-live="polite">
          {filtered ? `${shown.length} of ${history.length}` : `${history.length} ${history.length === 1 ? 'event' : 'events'}`}
        </span>
      </div>
      <div className="history-toolbar">
        <div className="field-inline">
          <label htmlFor={typeId}>Event type</label>
          <select
            id={typeId}
            value={filter.eventType}
            onChange={(e) => setFilter({ ...filter, eventType: parseEventTypeFilter(e.target.value) })}
          >
            <option value="all">All types</option>
            {EVENT_TYPES.map((type) => (
              <option key={type} value={type}>
                {EVENT_TYPE_LABELS[type]}
              </option>
            ))}
          </select>
        </div>
        <div className="field-inline">
          <label htmlFor={configId}>Config</label>
          <select id={configId} value={filter.config} onChange={(e) => setFilter({ ...filter, config: e.target.value })}>
            <option value="all">All configs</option>
            {configNames.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
            {filter.config !== 'all' && !configNames.includes(filter.config) && <option value={filter.config}>{filter.config}</option>}
          </select>
        </div>
        <div className="history-export">
          <button type="button" onClick={() => download(exportFileName('json', new Date()), 'application/json', historyToJson(shown))}>
            Export JSON
          </button>
          <button type="button" onClick={() => download(exportFileName('csv', new Date()), 'text/csv;charset=utf-8', historyToCsv(shown))}>
            Export CSV
          </button>
        </div>
      </div>
      {shown.length === 0 ? (
        <p className="muted history-empty">
          {history.length === 0 ? 'No failovers yet. Switches, recoveries and outages will show up here.' : 'No events match these filters.'}
          {filtered && history.length > 0 && (
            <>
              {' '}
              <button type="button" className="link-button" onClick={() => setFilter(ALL_HISTORY)}>
                Clear filters
              </button>
            </>
          )}
        </p>
      ) : (
        <ol className="history-list" aria-label="Events, newest first">
          {shown.map((event) => (
            <HistoryEntry key={event.event_id} event={event} now={now} itemRef={event.event_id === linkedId ? linkedRef : undefined} />
          ))}
        </ol>
      )}
    </section>
  );
}
