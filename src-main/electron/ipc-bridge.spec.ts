import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineEventName } from '../../src-shared/contract/events.js';
import { IPC_CHANNELS, type IpcEventMessage, type IpcInvokeReply } from '../../src-shared/contract/ipc.js';
import { EngineHarness } from '../engine/core/testing/engine-harness.js';
import { createIpcBridge, trustedOrigin, type BridgeEngine, type IpcBridge } from './ipc-bridge.js';
import { FakeIpcMain, FakeWebContents, fakeFrames, senderEvent, type FakeIpcRenderer } from './testing/fake-ipc.js';

const APP = 'qcc://app';
const DEV = 'http://localhost:5173';

let harness: EngineHarness;
let ipcMain: FakeIpcMain;
let bridge: IpcBridge;
let page: FakeWebContents;
let renderer: FakeIpcRenderer;
/** Commands that reached the engine (the real engine, seen through a recording port). */
let dispatched: string[];

async function start(maxQueued?: number) {
  harness = await EngineHarness.create({}, [
    { name: 'alpha', tier: 'primary', endpoints: 1 },
    { name: 'beta', tier: 'secondary', endpoints: 1 },
  ]);
  ipcMain = new FakeIpcMain();
  dispatched = [];
  const engine = harness.engine;
  const port: BridgeEngine = {
    dispatch: (command, args) => {
      dispatched.push(command);
      return engine.dispatch(command, args);
    },
    on: (event, listener) => engine.on(event, listener),
  };
  bridge = createIpcBridge({ ipcMain, engine: port, isTrustedSender: trustedOrigin([APP, DEV]), maxQueued });
  page = new FakeWebContents();
  renderer = page.ipcRenderer(ipcMain);
}

const invoke = (from: FakeIpcRenderer, command: unknown, args?: unknown) =>
  from.invoke(IPC_CHANNELS.invoke, { command, args }) as Promise<IpcInvokeReply>;

const configNames = () => harness.engine.snapshot().tiers.flatMap((tier) => tier.configs.map((config) => config.name));

/** Every engine event, as the engine published it, from now on. */
function recordEngineEvents(): IpcEventMessage[] {
  const seen: IpcEventMessage[] = [];
  for (const name of ['state:changed', 'history:appended', 'health:changed', 'notification:raised'] as EngineEventName[]) {
    harness.engine.on(name, (payload) => seen.push({ event: name, payload } as IpcEventMessage));
  }
  return seen;
}

const eventsSentTo = (target: FakeWebContents) => target.sentOn(IPC_CHANNELS.event) as IpcEventMessage[];
const namesSentTo = (target: FakeWebContents) => eventsSentTo(target).map((message) => message.event);

afterEach(() => bridge?.dispose());

describe('IPC bridge: qcc:invoke', () => {
  beforeEach(() => start());

  it('runs a valid command on the engine and returns its result', async () => {
    const reply = await invoke(renderer, 'config:add', { name: 'gamma', tier: 'fallback' });
    expect(reply).toMatchObject({ ok: true, result: { name: 'gamma', tier: 'fallback' } });
    expect(configNames()).toContain('gamma');
    expect(dispatched).toEqual(['config:add']);

    const state = await invoke(renderer, 'state:get', {});
    expect(state).toEqual({ ok: true, result: harness.engine.snapshot() });
  });

  it('rejects an unknown command by name and runs nothing', async () => {
    const before = harness.engine.snapshot();
    const reply = await invoke(renderer, 'config:explode', { name: 'alpha' });
    expect(reply).toEqual({ ok: false, error: { code: 'unknown_command', message: 'unknown command "config:explode"' } });
    expect(await invoke(renderer, '__proto__', {})).toMatchObject({ ok: false, error: { code: 'unknown_command' } });
    expect(dispatched).toEqual([]);
    expect(harness.engine.snapshot()).toEqual(before);
  });

  it('rejects a request that is not {command, args}', async () => {
    for (const request of [null, 'state:get', { args: {} }, { command: 42 }]) {
      const reply = (await renderer.invoke(IPC_CHANNELS.invoke, request)) as IpcInvokeReply;
      expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    }
    expect(dispatched).toEqual([]);
  });

  it('rejects an invalid payload, naming the field, and leaves the engine as it was', async () => {
    const before = harness.engine.snapshot();
    const reply = await invoke(renderer, 'config:add', { name: 'gamma', endpoints: [{ base_url: 'ftp://x', api_key: 'k' }] });
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.error.code).toBe('invalid_argument');
    expect(reply.error.message).toMatch(/^config:add: endpoints\[0\]\.base_url: /);

    const typo = await invoke(renderer, 'failover:switch', { name: 'beta', resaon: 'typo' });
    expect(typo).toMatchObject({ ok: false, error: { code: 'invalid_argument', message: expect.stringContaining('"resaon"') } });
    expect(dispatched).toEqual([]);
    expect(harness.engine.snapshot()).toEqual(before);
    expect(harness.engine.activeConfig).toBe('alpha');
  });

  it('returns engine errors as {code, message}', async () => {
    const reply = await invoke(renderer, 'failover:switch', { name: 'nowhere' });
    expect(reply).toEqual({ ok: false, error: { code: 'not_found', message: expect.stringContaining('"nowhere"') } });
    const duplicate = await invoke(renderer, 'config:add', { name: 'alpha' });
    expect(duplicate).toMatchObject({ ok: false, error: { code: 'already_exists' } });
  });

  it('keeps API keys out of replies', async () => {
    const reply = await invoke(renderer, 'endpoint:add', { config: 'beta', base_url: 'https://b2.example', api_key: 'sk-ant-secret-0123456789abcdef' });
    expect(reply.ok).toBe(true);
    expect(JSON.stringify(reply)).not.toContain('sk-ant-secret-0123456789abcdef');
  });

  it('refuses a page from another origin and runs nothing', async () => {
    const before = harness.engine.snapshot();
    const evil = new FakeWebContents(fakeFrames('https://evil.example/qcc'));
    const reply = await invoke(evil.ipcRenderer(ipcMain), 'config:remove', { name: 'alpha' });
    expect(reply).toEqual({ ok: false, error: { code: 'unauthorized', message: expect.any(String) } });
    expect(dispatched).toEqual([]);
    expect(configNames()).toContain('alpha');
    expect(harness.engine.snapshot()).toEqual(before);
  });

  it('refuses an embedded frame, even one showing the app', async () => {
    const before = harness.engine.snapshot();
    const subframe = page.ipcRenderer(ipcMain, page.frames.child);
    const reply = await invoke(subframe, 'failover:switch', { name: 'beta' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(dispatched).toEqual([]);
    expect(harness.engine.activeConfig).toBe('alpha');
    expect(harness.engine.snapshot()).toEqual(before);
  });
});

describe('trustedOrigin', () => {
  const check = trustedOrigin([APP, DEV]);
  const from = (url: string) => senderEvent(new FakeWebContents(), fakeFrames(url).top);

  it('accepts the top frame of the app and of the dev server', () => {
    expect(check(from('qcc://app/index.html#event=ev-1'))).toBe(true);
    expect(check(from('http://localhost:5173/'))).toBe(true);
  });

  it('refuses other origins, look-alikes, subframes and gone frames', () => {
    expect(check(from('qcc://app.evil/index.html'))).toBe(false);
    expect(check(from('qcc://evil/index.html'))).toBe(false);
    expect(check(from('http://localhost:5174/'))).toBe(false);
    expect(check(from('https://localhost:5173/'))).toBe(false);
    expect(check(from('file:///tmp/index.html'))).toBe(false);
    expect(check(from('about:blank'))).toBe(false);
    expect(check(from('not a url'))).toBe(false);
    expect(check(senderEvent(new FakeWebContents(), fakeFrames(`${APP}/index.html`).child))).toBe(false);
    expect(check(senderEvent(new FakeWebContents(), null))).toBe(false);
  });
});

describe('IPC bridge: events', () => {
  it('queues events until qcc:ready, then delivers them in order with only the latest snapshot', async () => {
    await start();
    bridge.attach(page);
    const published = recordEngineEvents();
    await harness.engine.dispatch('config:add', { name: 'gamma' });
    harness.kill('alpha'); // health, history, notification and state events
    await harness.engine.dispatch('config:add', { name: 'delta' });
    expect(eventsSentTo(page)).toEqual([]);

    renderer.send(IPC_CHANNELS.ready);

    const lastState = published.filter((message) => message.event === 'state:changed').at(-1);
    const sent = eventsSentTo(page);
    expect(sent).toEqual(published.filter((message) => message.event !== 'state:changed' || message === lastState));
    expect(namesSentTo(page).at(-1)).toBe('state:changed');
    expect(namesSentTo(page).filter((name) => name === 'state:changed')).toHaveLength(1);
    expect(namesSentTo(page)).toEqual(expect.arrayContaining(['health:changed', 'history:appended', 'notification:raised']));

    // Once ready, events go out as they happen.
    await harness.engine.dispatch('config:remove', { name: 'delta' });
    expect(eventsSentTo(page).at(-1)).toEqual(published.at(-1));
    expect(eventsSentTo(page)).toHaveLength(sent.length + 1);
  });

  it('keeps the queue bounded, dropping the oldest', async () => {
    await start(3);
    bridge.attach(page);
    const published = recordEngineEvents();
    harness.kill('alpha');
    harness.kill('beta');
    renderer.send(IPC_CHANNELS.ready);
    const withoutOldStates = published.filter(
      (message) => message.event !== 'state:changed' || message === published.filter((m) => m.event === 'state:changed').at(-1),
    );
    expect(withoutOldStates.length).toBeGreaterThan(3);
    expect(eventsSentTo(page)).toEqual(withoutOldStates.slice(-3));
  });

  it('ignores qcc:ready from an untrusted frame', async () => {
    await start();
    bridge.attach(page);
    await harness.engine.dispatch('config:add', { name: 'gamma' });
    page.ipcRenderer(ipcMain, page.frames.child).send(IPC_CHANNELS.ready);
    expect(eventsSentTo(page)).toEqual([]);
    renderer.send(IPC_CHANNELS.ready);
    expect(namesSentTo(page)).toEqual(['state:changed']);
  });

  it('drops the backlog when the page reloads and waits for the new page to be ready', async () => {
    await start();
    bridge.attach(page);
    renderer.send(IPC_CHANNELS.ready);
    await harness.engine.dispatch('config:add', { name: 'gamma' });
    expect(namesSentTo(page)).toEqual(['state:changed']);

    page.navigate('qcc://app/index.html');
    await harness.engine.dispatch('config:add', { name: 'delta' });
    expect(namesSentTo(page)).toHaveLength(1);

    // The reload started again: what was queued for the old document is gone.
    page.navigate('qcc://app/index.html');
    const published = recordEngineEvents();
    await harness.engine.dispatch('failover:switch', { name: 'beta' });
    renderer.send(IPC_CHANNELS.ready);
    const lastState = published.filter((message) => message.event === 'state:changed').at(-1);
    expect(eventsSentTo(page).slice(1)).toEqual(published.filter((message) => message.event !== 'state:changed' || message === lastState));
    expect(eventsSentTo(page).slice(1).some((message) => message.event === 'state:changed' && message.payload.active_config === 'beta')).toBe(true);
  });

  it('keeps delivering across a #fragment change or a subframe navigation', async () => {
    await start();
    bridge.attach(page);
    renderer.send(IPC_CHANNELS.ready);
    page.navigate('qcc://app/index.html#event=ev-1', { sameDocument: true });
    page.navigate('https://elsewhere.example/', { mainFrame: false });
    await harness.engine.dispatch('config:add', { name: 'gamma' });
    expect(namesSentTo(page)).toEqual(['state:changed']);
  });

  it('drops the backlog when the renderer process dies', async () => {
    await start();
    bridge.attach(page);
    await harness.engine.dispatch('config:add', { name: 'gamma' });
    page.crash();
    renderer.send(IPC_CHANNELS.ready);
    expect(eventsSentTo(page)).toEqual([]);
    await harness.engine.dispatch('config:add', { name: 'delta' });
    expect(namesSentTo(page)).toEqual(['state:changed']);
  });

  it('skips a destroyed window and keeps serving the others', async () => {
    await start();
    const other = new FakeWebContents();
    bridge.attach(page);
    bridge.attach(other);
    renderer.send(IPC_CHANNELS.ready);
    other.ipcRenderer(ipcMain).send(IPC_CHANNELS.ready);

    page.destroy();
    await harness.engine.dispatch('config:add', { name: 'gamma' });
    expect(eventsSentTo(page)).toEqual([]);
    expect(namesSentTo(other)).toEqual(['state:changed']);
    expect(page.listenerCount()).toBe(0);
  });

  it('never sends to a window that is already destroyed but has not said so yet', async () => {
    await start();
    bridge.attach(page);
    renderer.send(IPC_CHANNELS.ready);
    // Destroyed without the 'destroyed' event reaching the bridge first: send() would throw.
    Object.defineProperty(page, 'isDestroyed', { value: () => true });
    await harness.engine.dispatch('config:add', { name: 'gamma' });
    expect(eventsSentTo(page)).toEqual([]);
    expect(page.listenerCount()).toBe(0);
  });

  it('detach stops one window', async () => {
    await start();
    const detach = bridge.attach(page);
    renderer.send(IPC_CHANNELS.ready);
    detach();
    await harness.engine.dispatch('config:add', { name: 'gamma' });
    expect(eventsSentTo(page)).toEqual([]);
    expect(page.listenerCount()).toBe(0);
  });

  it('dispose removes every handler, listener and engine subscription', async () => {
    await start();
    bridge.attach(page);
    renderer.send(IPC_CHANNELS.ready);
    expect(ipcMain.registered().sort()).toEqual([`handle:${IPC_CHANNELS.invoke}`, `on:${IPC_CHANNELS.ready}`]);

    bridge.dispose();
    expect(ipcMain.registered()).toEqual([]);
    expect(page.listenerCount()).toBe(0);
    await harness.engine.dispatch('config:add', { name: 'gamma' });
    harness.kill('alpha');
    expect(eventsSentTo(page)).toEqual([]);
    await expect(invoke(renderer, 'state:get', {})).rejects.toThrow(/No handler registered/);

    // A new bridge can take over the channels (Electron allows one handler per channel).
    bridge = createIpcBridge({ ipcMain, engine: harness.engine, isTrustedSender: trustedOrigin([APP]) });
    expect(await invoke(renderer, 'state:get', {})).toMatchObject({ ok: true });
  });
});
