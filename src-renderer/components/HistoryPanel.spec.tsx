import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FailoverEvent } from '../../src-shared/model/event.js';
import { EngineProvider } from '../client/engine-context.js';
import { EngineStore } from '../client/engine-store.js';
import { eventIdFromHash } from '../client/location-target.js';
import { FakeEngineClient } from '../testing/fake-engine-client.js';
import { engineSnapshot } from '../testing/snapshot-builders.js';
import { HistoryPanel } from './HistoryPanel.js';

const SNAPSHOT = engineSnapshot([]);

const event = (id: string, type: FailoverEvent['event_type'], from: string, to: string, minute: number): FailoverEvent => ({
  event_id: id,
  event_type: type,
  from_config: from,
  to_config: to,
  reason: `${type} ${id}`,
  timestamp: `2025-03-14T10:${String(minute).padStart(2, '0')}:00.000Z`,
  success: true,
});

const HISTORY = [
  event('ev-3', 'recovery', 'backup', 'production', 30),
  event('ev-2', 'manual', 'production', 'backup', 20),
  event('ev-1', 'failover', 'production', 'backup', 10),
];

let client: FakeEngineClient;
/** What the engine answers `history:query` with. */
let served: FailoverEvent[];
let store: EngineStore;
let scrolled: Element[];

function setHash(hash: string): void {
  window.history.replaceState(null, '', `${window.location.pathname}${hash}`);
}

/** What a notification click does: a fragment-only navigation. */
function navigateTo(hash: string): void {
  act(() => {
    setHash(hash);
    window.dispatchEvent(new Event('hashchange'));
  });
}

async function renderPanel(history: FailoverEvent[] | null = HISTORY) {
  served = history ?? [];
  client = new FakeEngineClient();
  client.handle('history:query', () => served);
  store = new EngineStore(client);
  store.start();
  act(() => {
    if (history) client.connect();
    client.emit('state:changed', SNAPSHOT);
  });
  render(
    <EngineProvider client={client} store={store}>
      <HistoryPanel />
    </EngineProvider>,
  );
  const region = screen.getByRole('region', { name: 'History' });
  if (history) await waitFor(() => expect(within(region).getAllByRole('listitem')).toHaveLength(history.length));
  return region;
}

const entry = (region: HTMLElement, id: string) => region.querySelector(`li[data-event-id="${id}"]`) as HTMLLIElement | null;
const current = (region: HTMLElement) => within(region).getAllByRole('listitem').filter((li) => li.getAttribute('aria-current') === 'true');

beforeEach(() => {
  scrolled = [];
  vi.spyOn(Element.prototype, 'scrollIntoView').mockImplementation(function (this: Element) {
    scrolled.push(this);
  });
});

afterEach(() => {
  cleanup();
  store?.stop();
  setHash('');
  vi.restoreAllMocks();
});

describe('eventIdFromHash', () => {
  it('reads #event=<id>, alone or beside other parameters', () => {
    expect(eventIdFromHash('#event=ev-12')).toBe('ev-12');
    expect(eventIdFromHash('#token=abc&event=ev%2F7')).toBe('ev/7');
    expect(eventIdFromHash('#event=')).toBeNull();
    expect(eventIdFromHash('#prevent=ev-1')).toBeNull();
    expect(eventIdFromHash('')).toBeNull();
    expect(eventIdFromHash('#event=%E0%A4%A')).toBeNull();
  });
});

describe('HistoryPanel: opened at an event (#event=<id>)', () => {
  it('marks, focuses and scrolls to the linked event on load', async () => {
    setHash('#event=ev-2');
    const region = await renderPanel();
    const target = entry(region, 'ev-2');
    await waitFor(() => expect(document.activeElement).toBe(target));
    expect(current(region)).toEqual([target]);
    expect(scrolled).toContain(target);
  });

  it('follows a hashchange to another event without a reload', async () => {
    setHash('#event=ev-2');
    const region = await renderPanel();
    await waitFor(() => expect(document.activeElement).toBe(entry(region, 'ev-2')));

    navigateTo('#event=ev-1');
    await waitFor(() => expect(document.activeElement).toBe(entry(region, 'ev-1')));
    expect(current(region)).toEqual([entry(region, 'ev-1')]);

    navigateTo('');
    expect(current(region)).toEqual([]);
  });

  it('clears the filters that would hide the event', async () => {
    const region = await renderPanel();
    fireEvent.change(within(region).getByLabelText('Event type'), { target: { value: 'failover' } });
    expect(entry(region, 'ev-2')).toBeNull();

    navigateTo('#event=ev-2');
    await waitFor(() => expect(document.activeElement).toBe(entry(region, 'ev-2')));
    expect((within(region).getByLabelText('Event type') as HTMLSelectElement).value).toBe('all');
    expect(within(region).getAllByRole('listitem')).toHaveLength(3);
  });

  it('keeps filters that already show the event', async () => {
    const region = await renderPanel();
    fireEvent.change(within(region).getByLabelText('Config'), { target: { value: 'backup' } });
    fireEvent.change(within(region).getByLabelText('Event type'), { target: { value: 'manual' } });

    navigateTo('#event=ev-2');
    await waitFor(() => expect(document.activeElement).toBe(entry(region, 'ev-2')));
    expect((within(region).getByLabelText('Event type') as HTMLSelectElement).value).toBe('manual');
    expect((within(region).getByLabelText('Config') as HTMLSelectElement).value).toBe('backup');
  });

  it('waits for the history to arrive before revealing the event', async () => {
    setHash('#event=ev-1');
    const region = await renderPanel(null);
    expect(within(region).queryAllByRole('listitem')).toHaveLength(0);

    act(() => {
      served = HISTORY;
      client.connect();
    });
    await waitFor(() => expect(document.activeElement).toBe(entry(region, 'ev-1')));
    expect(current(region)).toEqual([entry(region, 'ev-1')]);
  });

  it('does not undo the user\u2019s filtering when live events arrive later', async () => {
    setHash('#event=ev-2');
    const region = await renderPanel();
    await waitFor(() => expect(document.activeElement).toBe(entry(region, 'ev-2')));

    fireEvent.change(within(region).getByLabelText('Event type'), { target: { value: 'failover' } });
    act(() => client.emit('history:appended', event('ev-4', 'failover', 'backup', 'production', 40)));
    expect((within(region).getByLabelText('Event type') as HTMLSelectElement).value).toBe('failover');
    expect(entry(region, 'ev-2')).toBeNull();
  });
});
