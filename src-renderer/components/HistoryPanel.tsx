import { useId, useMemo, useState } from 'react';
import { EVENT_TYPES, type FailoverEvent } from '../../src-shared/model/event.js';
import { useEngineView } from '../client/engine-context.js';
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

function HistoryEntry({ event, now }: { event: FailoverEvent; now: Date }) {
  const label = EVENT_TYPE_LABELS[event.event_type];
  return (
    <li className="history-entry" data-event-type={event.event_type} data-success={event.success}>
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
            <HistoryEntry key={event.event_id} event={event} now={now} />
          ))}
        </ol>
      )}
    </section>
  );
}
