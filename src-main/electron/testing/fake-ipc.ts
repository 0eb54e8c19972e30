import type { IpcMainEvent, IpcMainInvokeEvent, IpcRendererEvent, WebContents, WebFrameMain } from 'electron';
import type { BridgeIpcMain, BridgeWebContents } from '../ipc-bridge.js';

type InvokeHandler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;
type MainListener = (event: IpcMainEvent, ...args: unknown[]) => void;
type RendererListener = (event: IpcRendererEvent, ...args: unknown[]) => void;
type LifecycleListener = (...args: unknown[]) => void;

/** A frame as the sender check sees it: its URL and its parent (null for the top frame). */
export interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

/** A top frame showing `url`, and a frame embedded in it showing `childUrl`. */
export function fakeFrames(url: string, childUrl = url): { top: FakeFrame; child: FakeFrame } {
  const top: FakeFrame = { url, parent: null };
  return { top, child: { url: childUrl, parent: top } };
}

/**
 * `ipcMain` in memory. Payloads are structured-cloned both ways, and a handler
 * that throws reaches the caller as a bare message, as in Electron.
 */
export class FakeIpcMain implements BridgeIpcMain {
  private readonly handlers = new Map<string, InvokeHandler>();
  private readonly listeners = new Map<string, Set<MainListener>>();

  handle(channel: string, listener: InvokeHandler): void {
    // Electron refuses a second handler for a channel.
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  on(channel: string, listener: MainListener): this {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    return this;
  }

  removeListener(channel: string, listener: MainListener): this {
    this.listeners.get(channel)?.delete(listener);
    return this;
  }

  /** Handlers and listeners still registered, by channel (empty after a clean dispose). */
  registered(): string[] {
    const listening = [...this.listeners].filter(([, set]) => set.size > 0).map(([channel]) => `on:${channel}`);
    return [...[...this.handlers.keys()].map((channel) => `handle:${channel}`), ...listening];
  }

  /** What `ipcRenderer.invoke` from `frame` of `sender` does. */
  async invoke(sender: FakeWebContents, frame: FakeFrame, channel: string, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
    const event = { sender, senderFrame: frame, frameId: 1, processId: 1, type: 'frame' } as unknown as IpcMainInvokeEvent;
    try {
      return structuredClone(await handler(event, ...structuredClone(args)));
    } catch (error) {
      throw new Error(`Error invoking remote method '${channel}': ${String(error)}`, { cause: error });
    }
  }

  /** What `ipcRenderer.send` from `frame` of `sender` does. */
  send(sender: FakeWebContents, frame: FakeFrame, channel: string, ...args: unknown[]): void {
    const event = { sender, senderFrame: frame, frameId: 1, processId: 1, type: 'frame', ports: [] } as unknown as IpcMainEvent;
    for (const listener of this.listeners.get(channel) ?? []) listener(event, ...structuredClone(args));
  }
}

/**
 * A window's `webContents`: records what main sends, delivers it to the page's
 * renderer listeners, and plays navigation, crash and destruction.
 */
export class FakeWebContents implements BridgeWebContents {
  /** Every `send` that reached the page, in order. */
  readonly sent: { channel: string; args: unknown[] }[] = [];
  private destroyed = false;
  private readonly lifecycle = new Map<string, Set<LifecycleListener>>();
  private readonly renderer = new Map<string, Set<RendererListener>>();

  constructor(readonly frames = fakeFrames('qcc://app/index.html')) {}

  isDestroyed(): boolean {
    return this.destroyed;
  }

  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    const copy = structuredClone(args);
    this.sent.push({ channel, args: copy });
    const event = { sender: this } as unknown as IpcRendererEvent;
    for (const listener of this.renderer.get(channel) ?? []) listener(event, ...copy);
  }

  on(event: string, listener: (...args: never[]) => void): this {
    let set = this.lifecycle.get(event);
    if (!set) this.lifecycle.set(event, (set = new Set()));
    set.add(listener as LifecycleListener);
    return this;
  }

  removeListener(event: string, listener: (...args: never[]) => void): this {
    this.lifecycle.get(event)?.delete(listener as LifecycleListener);
    return this;
  }

  /** Lifecycle listeners still installed (none after detach). */
  listenerCount(): number {
    return [...this.lifecycle.values()].reduce((sum, set) => sum + set.size, 0);
  }

  /** The payloads of `channel` sent so far. */
  sentOn(channel: string): unknown[] {
    return this.sent.filter((entry) => entry.channel === channel).map((entry) => entry.args[0]);
  }

  /** A navigation starting: a reload/new document, or a same-document change such as a `#fragment`. */
  navigate(url: string, kind: { sameDocument?: boolean; mainFrame?: boolean } = {}): void {
    const details = { url, isSameDocument: kind.sameDocument ?? false, isMainFrame: kind.mainFrame ?? true, frame: null };
    this.emit('did-start-navigation', details, url, details.isSameDocument, details.isMainFrame, 1, 1);
  }

  crash(): void {
    this.emit('render-process-gone', {}, this, { reason: 'crashed', exitCode: 1 });
  }

  destroy(): void {
    this.destroyed = true;
    this.emit('destroyed');
  }

  /** An `ipcRenderer` for this page's `frame` (the top frame unless told otherwise). */
  ipcRenderer(ipcMain: FakeIpcMain, frame: FakeFrame = this.frames.top): FakeIpcRenderer {
    return new FakeIpcRenderer(this, this.renderer, ipcMain, frame);
  }

  /** Typed as Electron's, for code that takes a real WebContents. */
  asWebContents(): WebContents {
    return this as unknown as WebContents;
  }

  /** Runs the listeners of `event`, as Electron does when the page navigates, crashes or is destroyed. */
  emit(event: string, ...args: unknown[]): void {
    for (const listener of [...(this.lifecycle.get(event) ?? [])]) listener(...args);
  }
}

/** The page side of a FakeWebContents: `invoke` and `send` go to main, `on` hears `webContents.send`. */
export class FakeIpcRenderer {
  constructor(
    private readonly webContents: FakeWebContents,
    private readonly listeners: Map<string, Set<RendererListener>>,
    private readonly ipcMain: FakeIpcMain,
    private readonly frame: FakeFrame,
  ) {}

  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    return this.ipcMain.invoke(this.webContents, this.frame, channel, ...args);
  }

  send(channel: string, ...args: unknown[]): void {
    this.ipcMain.send(this.webContents, this.frame, channel, ...args);
  }

  on(channel: string, listener: RendererListener): this {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    return this;
  }

  removeListener(channel: string, listener: RendererListener): this {
    this.listeners.get(channel)?.delete(listener);
    return this;
  }

  /** Renderer listeners on `channel`. */
  listenerCount(channel: string): number {
    return this.listeners.get(channel)?.size ?? 0;
  }
}

/** Typed as Electron's, for `trustedOrigin` checks on a hand-made event. */
export function senderEvent(webContents: FakeWebContents, frame: FakeFrame | null): IpcMainInvokeEvent {
  return { sender: webContents, senderFrame: frame as unknown as WebFrameMain | null } as unknown as IpcMainInvokeEvent;
}
