import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EngineError } from '../../src-shared/contract/errors.js';
import type { EngineSnapshot } from '../../src-shared/contract/snapshot.js';
// These two import Electron's types only; the test drives the real main-side bridge in plain Node.
import { createIpcBridge, trustedOrigin, type IpcBridge } from '../../src-main/electron/ipc-bridge.js';
import { FakeIpcMain, FakeWebContents } from '../../src-main/electron/testing/fake-ipc.js';
import { EngineHarness } from '../../src-main/engine/core/testing/engine-harness.js';
import { createQccBridge } from '../../src-main/preload/qcc-bridge.js';
import { EngineStore } from './engine-store.js';
import { bridgeFrom, IpcEngineClient } from './ipc-engine-client.js';

// The whole Electron path but the binary: client → preload bridge → fake IPC → main bridge → real engine.
let harness: EngineHarness;
let bridge: IpcBridge;
let client: IpcEngineClient;
let store: EngineStore | null;

beforeEach(async () => {
  harness = await EngineHarness.create({}, [
    { name: 'alpha', tier: 'primary', endpoints: 1 },
    { name: 'beta', tier: 'secondary', endpoints: 1 },
  ]);
  const ipcMain = new FakeIpcMain();
  bridge = createIpcBridge({ ipcMain, engine: harness.engine, isTrustedSender: trustedOrigin(['qcc://app']) });
  const page = new FakeWebContents();
  bridge.attach(page);
  client = new IpcEngineClient(createQccBridge(page.ipcRenderer(ipcMain)));
  store = null;
});

afterEach(() => {
  store?.stop();
  client.stop();
  bridge.dispose();
});

/** Lets queued microtasks and IPC replies settle. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => queueMicrotask(resolve));
};

describe('bridgeFrom', () => {
  it('finds window.qcc only when it has invoke and on', () => {
    expect(bridgeFrom(window)).toBeNull();
    expect(bridgeFrom({ qcc: { invoke: () => undefined } })).toBeNull();
    const qcc = { invoke: async () => undefined, on: () => () => undefined };
    expect(bridgeFrom({ qcc })).toBe(qcc);
  });
});

describe('IpcEngineClient', () => {
  it('runs commands and returns their results', async () => {
    const created = await client.invoke('config:add', { name: 'gamma', tier: 'fallback' });
    expect(created.name).toBe('gamma');
    expect(harness.engine.snapshot().tiers.find((tier) => tier.tier === 'fallback')?.configs.map((c) => c.name)).toEqual(['gamma']);
  });

  it('rejects with an EngineError that keeps the code', async () => {
    const failure = await client.invoke('failover:switch', { name: 'nowhere' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EngineError);
    expect(failure).toMatchObject({ code: 'not_found', message: expect.stringContaining('"nowhere"') });
    // @ts-expect-error an unknown command, as a broken caller might send
    await expect(client.invoke('config:explode', {})).rejects.toMatchObject({ code: 'unknown_command' });
  });

  it('is always connected', () => {
    const states: string[] = [];
    client.onConnection((state) => states.push(state));
    expect(states).toEqual(['connected']);
    expect(client.connection).toBe('connected');
  });

  it('feeds the store: a snapshot and the history on start, then live changes', async () => {
    await harness.engine.dispatch('failover:switch', { name: 'beta', reason: 'before the window opened' });
    store = new EngineStore(client);
    store.start();
    client.start();
    const view = () => (store as EngineStore).getView();
    await vi.waitFor(() => expect(view().history).toHaveLength(1));
    expect(view().connection).toBe('connected');
    expect(view().snapshot).toEqual(harness.engine.snapshot());
    expect(view().history.map((event) => event.reason)).toEqual(['before the window opened']);

    await harness.engine.dispatch('failover:switch', { name: 'alpha', reason: 'back' });
    await vi.waitFor(() => expect(view().snapshot?.active_config).toBe('alpha'));
    expect(store.getView().snapshot?.revision).toBe(harness.engine.snapshot().revision);
    expect(store.getView().history.map((event) => event.reason)).toEqual(['back', 'before the window opened']);
  });

  it('unsubscribes one listener without silencing the others', async () => {
    const first: EngineSnapshot[] = [];
    const second: EngineSnapshot[] = [];
    const stop = client.on('state:changed', (snapshot) => first.push(snapshot));
    client.on('state:changed', (snapshot) => second.push(snapshot));
    await settle();
    stop();
    await harness.engine.dispatch('config:add', { name: 'gamma' });
    await settle();
    expect(first).toEqual([]);
    expect(second.map((snapshot) => snapshot.revision)).toEqual([harness.engine.snapshot().revision]);
  });
});
