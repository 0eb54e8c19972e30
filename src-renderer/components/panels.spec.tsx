import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EngineError } from '../../src-shared/contract/errors.js';
import type { ConfigView, EndpointView, EngineSnapshot } from '../../src-shared/contract/snapshot.js';
import type { FailoverEvent } from '../../src-shared/model/event.js';
import { DEFAULT_POLICY, type FailoverPolicy } from '../../src-shared/model/policy.js';
import type { Tier } from '../../src-shared/model/tier.js';
import { EngineProvider } from '../client/engine-context.js';
import { EngineStore } from '../client/engine-store.js';
import { FakeEngineClient } from '../testing/fake-engine-client.js';
import { configView, endpointView, engineSnapshot } from '../testing/snapshot-builders.js';
import { ConfigEditor } from './ConfigEditor.js';
import { EmptyState } from './EmptyState.js';
import { HistoryPanel } from './HistoryPanel.js';
import { PolicyEditor } from './PolicyEditor.js';
import { EDIT_CONFIG_EVENT } from './config-form.js';

// ---- snapshot builders ------------------------------------------------------

function endpoint(id: string, base_url: string, key_hint: string, enabled = true): EndpointView {
  return endpointView(id, { base_url, key_hint, enabled });
}

function config(name: string, tier: Tier, endpoints: EndpointView[]): ConfigView {
  return configView(name, tier, endpoints);
}

function snapshot(configs: ConfigView[], revision = 1, policy: FailoverPolicy = { ...DEFAULT_POLICY }): EngineSnapshot {
  return engineSnapshot(configs, { revision, policy });
}

const CONFIGS = [
  config('production', 'primary', [endpoint('ep-aaa111', 'https://a.example', 'sk-…a1b2'), endpoint('ep-bbb222', 'https://b.example', 'sk-…c3d4', false)]),
  config('backup', 'secondary', [endpoint('ep-ccc333', 'https://c.example', 'sk-…e5f6')]),
];

const event = (id: string, type: FailoverEvent['event_type'], from: string | null, to: string | null, iso: string, reason: string): FailoverEvent => ({
  event_id: id,
  event_type: type,
  from_config: from,
  to_config: to,
  reason,
  timestamp: iso,
  success: true,
});

const HISTORY: FailoverEvent[] = [
  event('h3', 'recovery', 'backup', 'production', '2025-03-14T10:30:00.000Z', 'production healthy again'),
  event('h2', 'manual', 'production', 'backup', '2025-03-14T10:20:00.000Z', 'maintenance, "planned"'),
  event('h1', 'failover', 'production', 'backup', '2025-03-14T10:10:00.000Z', 'production unhealthy: 3 failures'),
];

// ---- harness ----------------------------------------------------------------

let client: FakeEngineClient;
let store: EngineStore;

function setup(initial: EngineSnapshot | null, history: FailoverEvent[] = []) {
  client = new FakeEngineClient();
  client.handle('history:query', () => history);
  store = new EngineStore(client);
  store.start();
  act(() => {
    client.connect();
    if (initial) client.emit('state:changed', initial);
  });
}

function renderWithEngine(children: ReactNode) {
  return render(
    <EngineProvider client={client} store={store}>
      {children}
    </EngineProvider>,
  );
}

const change = (element: HTMLElement, value: string) => fireEvent.change(element, { target: { value } });


afterEach(() => {
  cleanup();
  store?.stop();
  vi.restoreAllMocks();
});

// ---- History ----------------------------------------------------------------

describe('HistoryPanel', () => {
  it('lists events newest first with type, time (ISO in the tooltip), from → to and reason', async () => {
    setup(snapshot(CONFIGS), HISTORY);
    renderWithEngine(<HistoryPanel />);
    const region = screen.getByRole('region', { name: 'History' });
    await waitFor(() => expect(within(region).getAllByRole('listitem')).toHaveLength(3));
    const items = within(region).getAllByRole('listitem');
    expect(items.map((item) => item.getAttribute('data-event-type'))).toEqual(['recovery', 'manual', 'failover']);
    expect(items[0]).toHaveProperty('textContent', expect.stringContaining('backup'));
    expect(items[0]?.textContent).toContain('production healthy again');
    expect(items[0]?.textContent).toContain('→');
    const time = items[2]?.querySelector('time');
    expect(time?.getAttribute('title')).toBe('2025-03-14T10:10:00.000Z');
    expect(time?.getAttribute('datetime')).toBe('2025-03-14T10:10:00.000Z');
  });

  it('filters by event type and by config', async () => {
    setup(snapshot(CONFIGS), HISTORY);
    renderWithEngine(<HistoryPanel />);
    const region = screen.getByRole('region', { name: 'History' });
    await waitFor(() => expect(within(region).getAllByRole('listitem')).toHaveLength(3));

    change(within(region).getByLabelText('Event type'), 'failover');
    expect(within(region).getAllByRole('listitem').map((li) => li.dataset.eventType)).toEqual(['failover']);

    change(within(region).getByLabelText('Event type'), 'all');
    change(within(region).getByLabelText('Config'), 'production');
    expect(within(region).getAllByRole('listitem')).toHaveLength(3);

    change(within(region).getByLabelText('Event type'), 'all_down');
    expect(within(region).queryAllByRole('listitem')).toHaveLength(0);
    expect(region.textContent).toContain('No events match these filters.');
  });

  it('shows live events at the top', async () => {
    setup(snapshot(CONFIGS), HISTORY);
    renderWithEngine(<HistoryPanel />);
    const region = screen.getByRole('region', { name: 'History' });
    await waitFor(() => expect(within(region).getAllByRole('listitem')).toHaveLength(3));
    act(() => client.emit('history:appended', event('h4', 'all_down', 'production', null, '2025-03-14T10:40:00.000Z', 'nothing can serve')));
    expect(within(region).getAllByRole('listitem')[0]?.dataset.eventType).toBe('all_down');
  });

  it('exports the filtered list as CSV and JSON through a download link', async () => {
    setup(snapshot(CONFIGS), HISTORY);
    renderWithEngine(<HistoryPanel />);
    const region = screen.getByRole('region', { name: 'History' });
    await waitFor(() => expect(within(region).getAllByRole('listitem')).toHaveLength(3));

    const blobs: Blob[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      blobs.push(blob as Blob);
      return 'blob:fake';
    });
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
    const downloads: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      downloads.push(this.download);
    });

    change(within(region).getByLabelText('Event type'), 'manual');
    fireEvent.click(within(region).getByRole('button', { name: 'Export CSV' }));
    fireEvent.click(within(region).getByRole('button', { name: 'Export JSON' }));

    expect(downloads[0]).toMatch(/^qcc-history-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(downloads[1]).toMatch(/^qcc-history-\d{4}-\d{2}-\d{2}\.json$/);
    const csv = await (blobs[0] as Blob).text();
    expect(csv).toBe(
      'event_id,event_type,from_config,to_config,reason,timestamp,success\r\n' +
        'h2,manual,production,backup,"maintenance, ""planned""",2025-03-14T10:20:00.000Z,true\r\n',
    );
    expect(JSON.parse(await (blobs[1] as Blob).text())).toEqual([HISTORY[1]]);
  });
});

// ---- Policy -----------------------------------------------------------------

describe('PolicyEditor', () => {
  const region = () => screen.getByRole('region', { name: 'Failover policy' });

  it('shows every knob with its unit and default, booleans as checkboxes', () => {
    setup(snapshot(CONFIGS));
    renderWithEngine(<PolicyEditor />);
    const threshold = within(region()).getByLabelText('Failure threshold') as HTMLInputElement;
    expect(threshold.type).toBe('number');
    expect(threshold.value).toBe('3');
    expect(threshold.closest('.knob')?.textContent).toContain('failures');
    expect(threshold.closest('.knob')?.textContent).toContain('default 3');
    expect((within(region()).getByLabelText('Auto failover') as HTMLInputElement).type).toBe('checkbox');
    expect(within(region()).getByLabelText('Connect timeout').closest('.knob')?.textContent).toContain('ms');
  });

  it('shows an error naming the field for 0 and does not call policy:update', async () => {
    setup(snapshot(CONFIGS));
    client.handle('policy:update', (patch) => ({ ...DEFAULT_POLICY, ...patch }) as FailoverPolicy);
    renderWithEngine(<PolicyEditor />);
    change(within(region()).getByLabelText('Failure threshold'), '0');
    fireEvent.click(within(region()).getByRole('button', { name: 'Save policy' }));
    const alert = await within(region()).findByRole('alert');
    expect(alert.textContent).toMatch(/Failure threshold must be at least 1/);
    expect(within(region()).getByLabelText('Failure threshold').getAttribute('aria-describedby')).toContain(alert.id);
    expect(client.callsOf('policy:update')).toEqual([]);
  });

  it('sends only the changed knob and shows it saved', async () => {
    setup(snapshot(CONFIGS));
    client.handle('policy:update', (patch) => ({ ...DEFAULT_POLICY, ...patch }) as FailoverPolicy);
    renderWithEngine(<PolicyEditor />);
    change(within(region()).getByLabelText('Failure threshold'), '5');
    fireEvent.click(within(region()).getByRole('button', { name: 'Save policy' }));
    await waitFor(() => expect(client.callsOf('policy:update')).toEqual([{ failure_threshold: 5 }]));
    await waitFor(() => expect(region().textContent).toContain('Saved: Failure threshold.'));
    expect((within(region()).getByLabelText('Failure threshold') as HTMLInputElement).value).toBe('5');
  });

  it('checks the cross-field rule before sending', async () => {
    setup(snapshot(CONFIGS));
    renderWithEngine(<PolicyEditor />);
    change(within(region()).getByLabelText('Ejection max time'), '10');
    fireEvent.click(within(region()).getByRole('button', { name: 'Save policy' }));
    expect((await within(region()).findByRole('alert')).textContent).toBe('Ejection max time must be at least Ejection base time (30 seconds)');
    expect(client.callsOf('policy:update')).toEqual([]);
  });

  it('shows the engine’s error next to its field', async () => {
    setup(snapshot(CONFIGS));
    client.handle('policy:update', () => {
      throw new EngineError('invalid_argument', 'policy.check_interval: must be at least 5 seconds');
    });
    renderWithEngine(<PolicyEditor />);
    change(within(region()).getByLabelText('Check interval'), '30');
    fireEvent.click(within(region()).getByRole('button', { name: 'Save policy' }));
    expect((await within(region()).findByRole('alert')).textContent).toBe('Check interval must be at least 5 seconds');
  });

  it('follows changes made elsewhere, and flags them when the user has unsaved edits', () => {
    setup(snapshot(CONFIGS, 1));
    renderWithEngine(<PolicyEditor />);
    act(() => client.emit('state:changed', snapshot(CONFIGS, 2, { ...DEFAULT_POLICY, check_interval: 30 })));
    expect((within(region()).getByLabelText('Check interval') as HTMLInputElement).value).toBe('30');

    change(within(region()).getByLabelText('Failure threshold'), '7');
    act(() => client.emit('state:changed', snapshot(CONFIGS, 3, { ...DEFAULT_POLICY, check_interval: 45, failure_threshold: 4 })));
    expect((within(region()).getByLabelText('Failure threshold') as HTMLInputElement).value).toBe('7');
    expect((within(region()).getByLabelText('Check interval') as HTMLInputElement).value).toBe('45');
    expect(region().textContent).toContain('changed elsewhere');

    fireEvent.click(within(region()).getByRole('button', { name: 'Discard my edits' }));
    expect((within(region()).getByLabelText('Failure threshold') as HTMLInputElement).value).toBe('4');
  });

  it('fills in the defaults with Reset to defaults, sent on save', async () => {
    setup(snapshot(CONFIGS, 1, { ...DEFAULT_POLICY, failure_threshold: 9, auto_recovery_enabled: true }));
    client.handle('policy:update', (patch) => ({ ...DEFAULT_POLICY, ...patch }) as FailoverPolicy);
    renderWithEngine(<PolicyEditor />);
    fireEvent.click(within(region()).getByRole('button', { name: 'Reset to defaults' }));
    expect((within(region()).getByLabelText('Failure threshold') as HTMLInputElement).value).toBe('3');
    fireEvent.click(within(region()).getByRole('button', { name: 'Save policy' }));
    await waitFor(() => expect(client.callsOf('policy:update')).toEqual([{ auto_recovery_enabled: false, failure_threshold: 3 }]));
  });
});

// ---- Config editor ----------------------------------------------------------

describe('ConfigEditor: Add config', () => {
  const KEY = 'sk-ant-secret-value-0123456789';

  it('validates, then calls config:add with the right payload and never renders the key back', async () => {
    setup(snapshot(CONFIGS));
    client.handle('config:add', (args) => config(args.name, args.tier ?? 'primary', [endpoint('ep-new111', 'https://new.example', 'sk-…6789')]));
    const { container } = renderWithEngine(<ConfigEditor />);
    expect(screen.getAllByRole('button', { name: 'Add config' })).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: 'Add config' }));
    const dialog = screen.getByRole('dialog', { name: 'Add config' });

    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    const alerts = await within(dialog).findAllByRole('alert');
    expect(alerts.map((a) => a.textContent)).toEqual(['Name is required', 'Base URL is required, like https://api.anthropic.com', 'API key is required']);
    expect(client.callsOf('config:add')).toEqual([]);

    change(within(dialog).getByLabelText('Name'), 'production');
    change(within(dialog).getByLabelText('Base URL'), 'not a url');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(within(dialog).getByText(/Name "production" is already used/)).toBeTruthy();
    expect(within(dialog).getByText(/^Base URL must be an http/)).toBeTruthy();
    expect(client.callsOf('config:add')).toEqual([]);

    change(within(dialog).getByLabelText('Name'), 'relay');
    change(within(dialog).getByLabelText('Description'), 'the relay');
    change(within(dialog).getByLabelText('Tier'), 'fallback');
    change(within(dialog).getByLabelText('Base URL'), 'https://relay.example/api/');
    const key = within(dialog).getByLabelText('API key') as HTMLInputElement;
    expect(key.type).toBe('password');
    change(key, KEY);
    change(within(dialog).getByLabelText('Auth style'), 'bearer');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(client.callsOf('config:add')).toEqual([
      {
        name: 'relay',
        description: 'the relay',
        tier: 'fallback',
        endpoints: [{ base_url: 'https://relay.example/api', api_key: KEY, auth_style: 'bearer' }],
      },
    ]);
    expect(container.innerHTML).not.toContain(KEY);
    expect(document.body.innerHTML).not.toContain(KEY);
  });

  it('shows a server error and keeps the dialog open', async () => {
    setup(snapshot(CONFIGS));
    client.handle('config:add', () => {
      throw new EngineError('storage_failed', 'could not write settings: disk full');
    });
    renderWithEngine(<ConfigEditor />);
    fireEvent.click(screen.getByRole('button', { name: 'Add config' }));
    const dialog = screen.getByRole('dialog', { name: 'Add config' });
    change(within(dialog).getByLabelText('Name'), 'relay');
    change(within(dialog).getByLabelText('Base URL'), 'https://relay.example');
    change(within(dialog).getByLabelText('API key'), KEY);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('could not write settings: disk full');
    expect(screen.getByRole('dialog', { name: 'Add config' })).toBeTruthy();
  });

  it('closes on Escape', () => {
    setup(snapshot(CONFIGS));
    renderWithEngine(<ConfigEditor />);
    fireEvent.click(screen.getByRole('button', { name: 'Add config' }));
    fireEvent.keyDown(screen.getByRole('dialog', { name: 'Add config' }), { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});

describe('ConfigEditor: Edit <name>', () => {
  function openEdit(name: string) {
    act(() => {
      window.dispatchEvent(new CustomEvent(EDIT_CONFIG_EVENT, { detail: { name } }));
    });
    return screen.getByRole('dialog', { name: `Edit ${name}` });
  }

  it('opens on qcc:edit-config and shows endpoints with key hints only', () => {
    setup(snapshot(CONFIGS));
    renderWithEngine(<ConfigEditor />);
    const dialog = openEdit('production');
    expect((within(dialog).getByLabelText('Name') as HTMLInputElement).value).toBe('production');
    expect(dialog.textContent).toContain('ep-aaa111');
    expect(dialog.textContent).toContain('https://a.example');
    expect(dialog.textContent).toContain('sk-…a1b2');
    expect(dialog.textContent).toContain('sk-…c3d4');
    for (const input of within(dialog).getAllByLabelText(/API key/) as HTMLInputElement[]) {
      expect(input.type).toBe('password');
      expect(input.value).toBe('');
    }
    expect((within(dialog).getByRole('checkbox', { name: 'Enabled ep-bbb222' }) as HTMLInputElement).checked).toBe(false);
  });

  it('tests an endpoint and shows the result', async () => {
    setup(snapshot(CONFIGS));
    const [prod] = CONFIGS as [ConfigView];
    client.handle('endpoint:test', ({ endpoint_id }) =>
      endpoint_id === 'ep-aaa111'
        ? { outcome: 'success', detail: 'reachable, key accepted', latency_ms: 42, endpoint: prod.endpoints[0] as EndpointView }
        : { outcome: 'credential_rejected', detail: 'key rejected (401)', latency_ms: null, endpoint: prod.endpoints[1] as EndpointView },
    );
    renderWithEngine(<ConfigEditor />);
    const dialog = openEdit('production');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Test ep-aaa111' }));
    await waitFor(() => expect(screen.getByTestId('test-result-ep-aaa111').textContent).toBe('✓ reachable (42 ms)'));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Test ep-bbb222' }));
    await waitFor(() => expect(screen.getByTestId('test-result-ep-bbb222').textContent).toBe('✗ key rejected (401)'));
    expect(client.callsOf('endpoint:test')).toEqual([
      { config: 'production', endpoint_id: 'ep-aaa111' },
      { config: 'production', endpoint_id: 'ep-bbb222' },
    ]);
  });

  it('enables, replaces a key, adds and removes endpoints, and renames', async () => {
    setup(snapshot(CONFIGS));
    const [prod] = CONFIGS as [ConfigView];
    client.handle('endpoint:update', () => prod.endpoints[1] as EndpointView);
    client.handle('endpoint:add', () => endpoint('ep-ddd444', 'https://d.example', 'sk-…9999'));
    client.handle('endpoint:remove', ({ endpoint_id }) => ({ removed: endpoint_id }));
    client.handle('config:update', (args) => ({ ...prod, name: args.new_name ?? args.name }));
    renderWithEngine(<ConfigEditor />);
    const dialog = openEdit('production');

    fireEvent.click(within(dialog).getByRole('checkbox', { name: 'Enabled ep-bbb222' }));
    await waitFor(() => expect(client.callsOf('endpoint:update')).toEqual([{ config: 'production', endpoint_id: 'ep-bbb222', enabled: true }]));

    fireEvent.click(within(dialog).getByRole('button', { name: 'Edit ep-aaa111' }));
    const newKey = within(dialog).getByLabelText('New API key for ep-aaa111') as HTMLInputElement;
    expect(newKey.type).toBe('password');
    change(newKey, 'sk-replaced-key-000');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save ep-aaa111' }));
    await waitFor(() => expect(client.callsOf('endpoint:update')[1]).toEqual({ config: 'production', endpoint_id: 'ep-aaa111', api_key: 'sk-replaced-key-000' }));
    // Once the save has answered, the key has left the page.
    await waitFor(() => expect(document.body.innerHTML).not.toContain('sk-replaced-key-000'));

    change(within(dialog).getByLabelText('Base URL'), 'https://d.example');
    change(within(dialog).getByLabelText('API key'), 'sk-added-key-111');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add endpoint' }));
    await waitFor(() =>
      expect(client.callsOf('endpoint:add')).toEqual([{ config: 'production', base_url: 'https://d.example', api_key: 'sk-added-key-111', auth_style: 'x-api-key' }]),
    );
    await waitFor(() => expect((within(dialog).getByLabelText('API key') as HTMLInputElement).value).toBe(''));

    fireEvent.click(within(dialog).getByRole('button', { name: 'Remove ep-bbb222' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Confirm remove ep-bbb222' }));
    await waitFor(() => expect(client.callsOf('endpoint:remove')).toEqual([{ config: 'production', endpoint_id: 'ep-bbb222' }]));

    change(within(dialog).getByLabelText('Name'), 'prod');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save config' }));
    await waitFor(() => expect(client.callsOf('config:update')).toEqual([{ name: 'production', new_name: 'prod' }]));
    await screen.findByRole('dialog', { name: 'Edit prod' });
  });

  it('validates endpoint fields before sending', async () => {
    setup(snapshot(CONFIGS));
    renderWithEngine(<ConfigEditor />);
    const dialog = openEdit('backup');
    change(within(dialog).getByLabelText('Base URL'), 'ftp://nope');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add endpoint' }));
    const alerts = await within(dialog).findAllByRole('alert');
    expect(alerts.map((a) => a.textContent)).toEqual([expect.stringMatching(/^Base URL must be/), 'API key is required']);
    expect(client.callsOf('endpoint:add')).toEqual([]);
  });
});

// ---- Empty state ------------------------------------------------------------

describe('EmptyState', () => {
  it('offers Add config (one button on the page) and the Claude Code import', async () => {
    setup(snapshot([]));
    renderWithEngine(
      <>
        <EmptyState />
        <ConfigEditor />
      </>,
    );
    expect(screen.getByRole('heading', { name: 'Add your first config' })).toBeTruthy();
    expect(screen.getAllByRole('button', { name: 'Add config' })).toHaveLength(1);
    expect(screen.getByText('qcc claude import').tagName).toBe('CODE');

    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    fireEvent.click(screen.getByRole('button', { name: 'Copy qcc claude import' }));
    expect(writeText).toHaveBeenCalledWith('qcc claude import');
    await screen.findByText('Copied');

    fireEvent.click(screen.getByRole('button', { name: 'Add config' }));
    expect(screen.getByRole('dialog', { name: 'Add config' })).toBeTruthy();
  });

  it('imports from Claude Code through the engine, and shows its refusal inline', async () => {
    setup(snapshot([]));
    let answer: () => unknown = () => {
      throw new EngineError('failed_precondition', 'found no Claude Code API settings to import');
    };
    client.handle('claude:import', () => answer() as never);
    renderWithEngine(<EmptyState />);
    fireEvent.click(screen.getByRole('button', { name: 'Import from Claude Code' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Not imported: found no Claude Code API settings to import');
    expect(client.callsOf('claude:import')).toEqual([{}]);

    answer = () => ({ config: {}, source: 'environment' });
    fireEvent.click(screen.getByRole('button', { name: 'Import from Claude Code' }));
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
    expect(client.callsOf('claude:import')).toHaveLength(2);
  });
});
