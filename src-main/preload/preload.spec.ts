import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineSnapshot } from '../../src-shared/contract/snapshot.js';
import { IPC_CHANNELS, type QccBridge } from '../../src-shared/contract/ipc.js';
import { createIpcBridge, trustedOrigin, type IpcBridge } from '../electron/ipc-bridge.js';
import { FakeIpcMain, FakeWebContents, type FakeIpcRenderer } from '../electron/testing/fake-ipc.js';
import { EngineHarness } from '../engine/core/testing/engine-harness.js';

// The mocked `electron` records what the preload exposes and hands it an
// ipcRenderer wired (through the fake IPC) to a real bridge and a real engine.
const electron = vi.hoisted(() => ({
  exposed: [] as { key: string; api: unknown }[],
  renderer: null as unknown as FakeIpcRenderer,
}));

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, api: unknown) => electron.exposed.push({ key, api }),
  },
  ipcRenderer: {
    invoke: (channel: string, ...args: unknown[]) => electron.renderer.invoke(channel, ...args),
    send: (channel: string, ...args: unknown[]) => electron.renderer.send(channel, ...args),
    on: (channel: string, listener: never) => electron.renderer.on(channel, listener),
  },
}));

let harness: EngineHarness;
let ipcMain: FakeIpcMain;
let bridge: IpcBridge;
let page: FakeWebContents;
let readySignals: number;

/** Loads the preload afresh, as a new page would, and returns what it exposed. */
async function loadPreload(frame?: 'child'): Promise<QccBridge> {
  electron.exposed.length = 0;
  electron.renderer = page.ipcRenderer(ipcMain, frame === 'child' ? page.frames.child : page.frames.top);
  vi.resetModules();
  await import('./preload.js');
  return electron.exposed[0]?.api as QccBridge;
}

const flushMicrotasks = () => new Promise<void>((resolve) => queueMicrotask(resolve));

beforeEach(async () => {
  harness = await EngineHarness.create({}, [
    { name: 'alpha', tier: 'primary', endpoints: 1 },
    { name: 'beta', tier: 'secondary', endpoints: 1 },
  ]);
  ipcMain = new FakeIpcMain();
  bridge = createIpcBridge({ ipcMain, engine: harness.engine, isTrustedSender: trustedOrigin(['qcc://app']) });
  page = new FakeWebContents();
  bridge.attach(page);
  readySignals = 0;
  ipcMain.on(IPC_CHANNELS.ready, () => readySignals++);
});

afterEach(() => bridge.dispose());

describe('preload', () => {
  it('exposes window.qcc with invoke and on, and nothing else', async () => {
    const api = await loadPreload();
    expect(electron.exposed).toHaveLength(1);
    expect(electron.exposed[0]?.key).toBe('qcc');
    expect(Object.keys(api as object).sort()).toEqual(['invoke', 'on']);
    expect(typeof api.invoke).toBe('function');
    expect(typeof api.on).toBe('function');
    expect(Object.getPrototypeOf(api)).toBe(Object.prototype);
  });

  it('invoke round-trips a command to the engine', async () => {
    const api = await loadPreload();
    const created = (await api.invoke('config:add', { name: 'gamma', tier: 'fallback' })) as { name: string; tier: string };
    expect(created).toMatchObject({ name: 'gamma', tier: 'fallback' });
    const snapshot = (await api.invoke('state:get', {})) as EngineSnapshot;
    expect(snapshot).toEqual(harness.engine.snapshot());
  });

  it('invoke rejects with the engine error code and message', async () => {
    const api = await loadPreload();
    await expect(api.invoke('failover:switch', { name: 'nowhere' })).rejects.toEqual({
      code: 'not_found',
      message: expect.stringContaining('"nowhere"'),
    });
    await expect(api.invoke('config:explode', {})).rejects.toEqual({ code: 'unknown_command', message: 'unknown command "config:explode"' });
    await expect(api.invoke('config:add', { name: 'x', bogus: 1 })).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('invoke from an embedded frame is refused', async () => {
    const api = await loadPreload('child');
    await expect(api.invoke('failover:switch', { name: 'beta' })).rejects.toMatchObject({ code: 'unauthorized' });
    expect(harness.engine.activeConfig).toBe('alpha');
  });

  it('on refuses names that are not engine events', async () => {
    const api = await loadPreload();
    for (const name of ['qcc:invoke', 'state:change', '__proto__', 'toString', '']) {
      expect(() => api.on(name, () => undefined)).toThrow(/unknown engine event/);
    }
    await flushMicrotasks();
    expect(readySignals).toBe(0);
  });

  it('listeners get the payload alone, never the IPC event', async () => {
    const api = await loadPreload();
    const calls: unknown[][] = [];
    api.on('state:changed', (...args: unknown[]) => calls.push(args));
    await flushMicrotasks();
    await harness.engine.dispatch('config:add', { name: 'gamma' });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toHaveLength(1);
    expect(calls[0]?.[0]).toEqual(harness.engine.snapshot());
  });

  it('says ready once, after the first subscription, and then receives the backlog', async () => {
    const api = await loadPreload();
    await harness.engine.dispatch('config:add', { name: 'gamma' });
    await flushMicrotasks();
    expect(readySignals).toBe(0);

    const snapshots: EngineSnapshot[] = [];
    const history: unknown[] = [];
    api.on('state:changed', (payload) => snapshots.push(payload as EngineSnapshot));
    api.on('history:appended', (payload) => history.push(payload));
    await flushMicrotasks();
    expect(readySignals).toBe(1);
    expect(snapshots.map((snapshot) => snapshot.revision)).toEqual([harness.engine.snapshot().revision]);

    api.on('health:changed', () => undefined);
    await harness.engine.dispatch('failover:switch', { name: 'beta', reason: 'test' });
    await flushMicrotasks();
    expect(readySignals).toBe(1);
    expect(history).toHaveLength(1);
    expect(snapshots.at(-1)?.active_config).toBe('beta');
  });

  it('uses one channel listener for all subscriptions and unsubscribes one listener at a time', async () => {
    const api = await loadPreload();
    const first: unknown[] = [];
    const second: unknown[] = [];
    const stopFirst = api.on('state:changed', (payload) => first.push(payload));
    api.on('state:changed', (payload) => second.push(payload));
    api.on('history:appended', () => undefined);
    await flushMicrotasks();
    expect(electron.renderer.listenerCount(IPC_CHANNELS.event)).toBe(1);

    stopFirst();
    await harness.engine.dispatch('config:add', { name: 'gamma' });
    expect(first).toHaveLength(0);
    expect(second).toHaveLength(1);
  });

  it('a throwing listener does not starve the others', async () => {
    const api = await loadPreload();
    const heard: unknown[] = [];
    api.on('state:changed', () => {
      throw new Error('page bug');
    });
    api.on('state:changed', (payload) => heard.push(payload));
    await flushMicrotasks();
    await harness.engine.dispatch('config:add', { name: 'gamma' });
    expect(heard).toHaveLength(1);
  });
});
