import { EVENT_TYPES, type FailoverEvent, type FailoverEventType } from '../../src-shared/model/event.js';

/** What the history panel shows: one event type (or all) and one config (or all). */
export interface HistoryFilter {
  eventType: FailoverEventType | 'all';
  config: string | 'all';
}

export const ALL_HISTORY: HistoryFilter = { eventType: 'all', config: 'all' };

/** Human labels for the event types, in the order of EVENT_TYPES. */
export const EVENT_TYPE_LABELS: Readonly<Record<FailoverEventType, string>> = {
  failover: 'Failover',
  recovery: 'Recovery',
  manual: 'Manual switch',
  all_down: 'All down',
  recovery_paused: 'Recovery paused',
  reassigned: 'Reassigned',
  drill_started: 'Drill started',
  drill_ended: 'Drill ended',
};

/** Narrows a `<select>` value to a filter value; anything unknown means "all". */
export function parseEventTypeFilter(value: string): HistoryFilter['eventType'] {
  return (EVENT_TYPES as readonly string[]).includes(value) ? (value as FailoverEventType) : 'all';
}

/** The events matching the filter, in the order given (the store keeps newest first). */
export function filterHistory(events: readonly FailoverEvent[], filter: HistoryFilter): FailoverEvent[] {
  return events.filter(
    (event) =>
      (filter.eventType === 'all' || event.event_type === filter.eventType) &&
      (filter.config === 'all' || event.from_config === filter.config || event.to_config === filter.config),
  );
}

/** Every config name worth filtering by: those in the history plus the ones configured now, sorted. */
export function historyConfigNames(events: readonly FailoverEvent[], current: readonly string[] = []): string[] {
  const names = new Set<string>(current);
  for (const event of events) {
    if (event.from_config) names.add(event.from_config);
    if (event.to_config) names.add(event.to_config);
  }
  return [...names].sort((a, b) => a.localeCompare(b));
}

/** The seed's FailoverEvent.to_dict() field order; exports use exactly these names. */
export const EXPORT_FIELDS = ['event_id', 'event_type', 'from_config', 'to_config', 'reason', 'timestamp', 'success'] as const;

/** The events as the seed's `failover_events.json` would hold them (an array of plain objects), pretty-printed. */
export function historyToJson(events: readonly FailoverEvent[]): string {
  const rows = events.map((event) => Object.fromEntries(EXPORT_FIELDS.map((field) => [field, event[field]])));
  return `${JSON.stringify(rows, null, 2)}\n`;
}

/** One CSV cell (RFC 4180): quoted when it holds a comma, quote, CR or LF, or edge spaces; quotes doubled. */
export function csvCell(value: string | number | boolean | null | undefined): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The events as CSV: a header row with the seed's field names, then one row per event, CRLF line ends. */
export function historyToCsv(events: readonly FailoverEvent[]): string {
  const lines = [EXPORT_FIELDS.join(',')];
  for (const event of events) lines.push(EXPORT_FIELDS.map((field) => csvCell(event[field])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `qcc-history-2025-03-14.csv`, dated in local time. */
export function exportFileName(kind: 'json' | 'csv', date: Date): string {
  return `qcc-history-${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}.${kind}`;
}

/**
 * A short local time for a history row: the time of day for today's events,
 * the date and time for older ones. (The row's tooltip carries the full ISO.)
 */
export function formatEventTime(iso: string, now: Date, locale?: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const sameDay = at.getFullYear() === now.getFullYear() && at.getMonth() === now.getMonth() && at.getDate() === now.getDate();
  if (sameDay) return at.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const sameYear = at.getFullYear() === now.getFullYear();
  return at.toLocaleString(locale, {
    year: sameYear ? undefined : 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}
