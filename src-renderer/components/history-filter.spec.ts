import { describe, expect, it } from 'vitest';
import { FailoverEventSchema, type FailoverEvent } from '../../src-shared/model/event.js';
import {
  ALL_HISTORY,
  csvCell,
  exportFileName,
  filterHistory,
  formatEventTime,
  historyConfigNames,
  historyToCsv,
  historyToJson,
  parseEventTypeFilter,
} from './history-filter.js';

const event = (id: string, type: FailoverEvent['event_type'], from: string | null, to: string | null, minute: number, reason = 'r'): FailoverEvent => ({
  event_id: id,
  event_type: type,
  from_config: from,
  to_config: to,
  reason,
  timestamp: `2025-03-14T10:${String(minute).padStart(2, '0')}:00.000Z`,
  success: true,
});

// Newest first, as the store keeps them.
const HISTORY: FailoverEvent[] = [
  event('e5', 'recovery', 'backup', 'production', 50),
  event('e4', 'all_down', 'backup', null, 40),
  event('e3', 'failover', 'production', 'backup', 30),
  event('e2', 'manual', 'emergency', 'production', 20),
  event('e1', 'failover', 'production', 'emergency', 10),
];

describe('filterHistory', () => {
  it('keeps everything, in order, with no filter', () => {
    expect(filterHistory(HISTORY, ALL_HISTORY).map((e) => e.event_id)).toEqual(['e5', 'e4', 'e3', 'e2', 'e1']);
  });

  it('filters by type and keeps newest first', () => {
    expect(filterHistory(HISTORY, { eventType: 'failover', config: 'all' }).map((e) => e.event_id)).toEqual(['e3', 'e1']);
    expect(filterHistory(HISTORY, { eventType: 'drill_started', config: 'all' })).toEqual([]);
  });

  it('filters by config on either side of the move', () => {
    expect(filterHistory(HISTORY, { eventType: 'all', config: 'backup' }).map((e) => e.event_id)).toEqual(['e5', 'e4', 'e3']);
    expect(filterHistory(HISTORY, { eventType: 'all', config: 'emergency' }).map((e) => e.event_id)).toEqual(['e2', 'e1']);
  });

  it('combines type and config', () => {
    expect(filterHistory(HISTORY, { eventType: 'failover', config: 'emergency' }).map((e) => e.event_id)).toEqual(['e1']);
  });

  it('does not reorder or mutate its input', () => {
    const copy = [...HISTORY];
    filterHistory(HISTORY, { eventType: 'failover', config: 'production' });
    expect(HISTORY).toEqual(copy);
  });

  it('reads select values, treating unknown ones as "all"', () => {
    expect(parseEventTypeFilter('all_down')).toBe('all_down');
    expect(parseEventTypeFilter('all')).toBe('all');
    expect(parseEventTypeFilter('nonsense')).toBe('all');
  });
});

describe('historyConfigNames', () => {
  it('unions history and current configs, sorted, without nulls or duplicates', () => {
    expect(historyConfigNames(HISTORY, ['zeta', 'backup'])).toEqual(['backup', 'emergency', 'production', 'zeta']);
  });
});

describe('CSV export', () => {
  it('has a header row with the seed field names and one row per event, CRLF-terminated', () => {
    const csv = historyToCsv(HISTORY.slice(0, 2));
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('event_id,event_type,from_config,to_config,reason,timestamp,success');
    expect(lines[1]).toBe('e5,recovery,backup,production,r,2025-03-14T10:50:00.000Z,true');
    expect(lines[2]).toBe('e4,all_down,backup,,r,2025-03-14T10:40:00.000Z,true');
    expect(lines[3]).toBe('');
    expect(lines).toHaveLength(4);
  });

  it('quotes commas, quotes and newlines, doubling inner quotes', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line1\nline2')).toBe('"line1\nline2"');
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"');
    expect(csvCell(' padded')).toBe('" padded"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(false)).toBe('false');
  });

  it('round-trips a nasty reason through a minimal RFC 4180 parser', () => {
    const reason = 'upstream said "overloaded", then:\nretry, later';
    const csv = historyToCsv([event('x1', 'manual', 'a', 'b', 0, reason)]);
    expect(parseCsv(csv)[1]).toEqual(['x1', 'manual', 'a', 'b', reason, '2025-03-14T10:00:00.000Z', 'true']);
  });

  it('exports just the header for an empty list', () => {
    expect(historyToCsv([])).toBe('event_id,event_type,from_config,to_config,reason,timestamp,success\r\n');
  });
});

describe('JSON export', () => {
  it('is an array of events with exactly the seed field names, in order, valid against the shared schema', () => {
    const withExtra = { ...HISTORY[0], extra: 'not exported' } as FailoverEvent;
    const parsed = JSON.parse(historyToJson([withExtra, HISTORY[1] as FailoverEvent])) as Record<string, unknown>[];
    expect(parsed).toHaveLength(2);
    expect(Object.keys(parsed[0] as object)).toEqual(['event_id', 'event_type', 'from_config', 'to_config', 'reason', 'timestamp', 'success']);
    expect(parsed[1]).toEqual(HISTORY[1]);
    expect(parsed[1]?.to_config).toBeNull();
    for (const row of parsed) expect(FailoverEventSchema.safeParse(row).success).toBe(true);
  });
});

describe('file names and times', () => {
  it('names exports qcc-history-<local date>.<ext>', () => {
    const date = new Date(2025, 0, 5, 23, 59);
    expect(exportFileName('csv', date)).toBe('qcc-history-2025-01-05.csv');
    expect(exportFileName('json', date)).toBe('qcc-history-2025-01-05.json');
  });

  it('shows only the time for today and the date for older events', () => {
    const now = new Date(2025, 2, 14, 12, 0, 0);
    const today = new Date(2025, 2, 14, 9, 5, 7).toISOString();
    const older = new Date(2025, 1, 2, 9, 5, 7).toISOString();
    expect(formatEventTime(today, now, 'en-GB')).toBe('09:05:07');
    expect(formatEventTime(older, now, 'en-GB')).toMatch(/2 Feb.*09:05:07/);
    expect(formatEventTime('garbage', now)).toBe('garbage');
  });
});

/** A tiny RFC 4180 reader, to prove the writer's quoting is reversible. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 1;
    } else cell += ch;
  }
  return rows;
}
