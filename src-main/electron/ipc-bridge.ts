import type { IpcMainEvent, IpcMainInvokeEvent } from 'electron';
import { COMMANDS, isCommandName } from '../../src-shared/contract/commands.js';
import { EngineError, isEngineErrorData, type EngineErrorData } from '../../src-shared/contract/errors.js';
import { ENGINE_EVENT_NAMES, type EngineEventName, type EngineEvents } from '../../src-shared/contract/events.js';
import { IPC_CHANNELS, type IpcEventMessage, type IpcInvokeReply } from '../../src-shared/contract/ipc.js';
import { describeIssues } from '../../src-shared/model/validation.js';
import { originOf } from './origin.js';

/** The part of `ipcMain` the bridge uses; Electron's `ipcMain` satisfies it, tests pass a fake. */
export interface BridgeIpcMain {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
  on(channel: string, listener: (event: IpcMainEvent, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: IpcMainEvent, ...args: unknown[]) => void): unknown;
}

/** The part of the engine the bridge needs: the untrusted-caller entry point and its events. */
export interface BridgeEngine {
  dispatch(command: string, args: unknown): Promise<unknown>;
  on<E extends EngineEventName>(event: E, listener: (payload: EngineEvents[E]) => void): () => void;
}

type LifecycleEvent = 'did-start-navigation' | 'render-process-gone' | 'destroyed';

/** The part of a `WebContents` the bridge uses; Electron's WebContents satisfies it. */
export interface BridgeWebContents {
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
  // `never[]`: Electron's listener arguments differ per event; each listener here reads only what it checks.
  on(event: LifecycleEvent, listener: (...args: never[]) => void): unknown;
  removeListener(event: LifecycleEvent, listener: (...args: never[]) => void): unknown;
}

/** Decides whether an IPC message comes from our own page. */
export type SenderCheck = (event: IpcMainInvokeEvent | IpcMainEvent) => boolean;

export interface IpcBridgeOptions {
  ipcMain: BridgeIpcMain;
  engine: BridgeEngine;
  isTrustedSender: SenderCheck;
  /** Events kept per window while its page is not ready; the oldest go first. */
  maxQueued?: number;
}

/** The IPC bridge: `attach` a window to push engine events to it; `dispose` undoes everything. */
export interface IpcBridge {
  /** Forwards engine events to this page, queued until it sends `qcc:ready`. Returns a detach function. */
  attach(webContents: BridgeWebContents): () => void;
  dispose(): void;
}

const DEFAULT_MAX_QUEUED = 200;
const MAX_NAME_IN_ERROR = 80;

/**
 * A sender check for the app's own pages: the message must come from the top
 * frame (an embedded frame never speaks for the app) of a page whose origin is
 * in `allowedOrigins` — `qcc://app` in production, the vite dev server under
 * `npm run dev`. Origins come from {@link originOf}, not `URL.origin`.
 */
export function trustedOrigin(allowedOrigins: readonly string[]): SenderCheck {
  const allowed = new Set(allowedOrigins.map(originOf).filter((origin): origin is string => origin !== null));
  return (event) => {
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null) return false;
    const origin = originOf(frame.url);
    return origin !== null && allowed.has(origin);
  };
}

/**
 * The one place the main process speaks IPC: `qcc:invoke` runs a command of the
 * contract for a trusted sender and answers `{ok, result}` / `{ok: false, error}`;
 * engine events go to attached pages over `qcc:event`.
 */
export function createIpcBridge(options: IpcBridgeOptions): IpcBridge {
  const { ipcMain, engine, isTrustedSender } = options;
  const maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED;
  const targets = new Map<BridgeWebContents, AttachedPage>();

  const handleInvoke = async (event: IpcMainInvokeEvent, request: unknown): Promise<IpcInvokeReply> => {
    if (!isTrustedSender(event)) return failure({ code: 'unauthorized', message: 'this page may not control QCC' });
    const checked = checkRequest(request);
    if ('code' in checked) return failure(checked);
    try {
      return { ok: true, result: await engine.dispatch(checked.command, checked.args) };
    } catch (error) {
      return failure(toErrorData(error));
    }
  };

  const handleReady = (event: IpcMainEvent) => {
    if (!isTrustedSender(event)) return;
    for (const [webContents, page] of targets) {
      if (webContents === (event.sender as unknown)) page.ready();
    }
  };

  ipcMain.handle(IPC_CHANNELS.invoke, handleInvoke);
  ipcMain.on(IPC_CHANNELS.ready, handleReady);

  const unsubscribers = ENGINE_EVENT_NAMES.map((name) =>
    engine.on(name, (payload) => {
      const message = { event: name, payload } as IpcEventMessage;
      for (const page of targets.values()) page.push(message);
    }),
  );

  return {
    attach(webContents) {
      const existing = targets.get(webContents);
      if (existing) return existing.detach;
      const page = new AttachedPage(webContents, maxQueued, () => targets.delete(webContents));
      targets.set(webContents, page);
      return page.detach;
    },
    dispose() {
      ipcMain.removeHandler(IPC_CHANNELS.invoke);
      ipcMain.removeListener(IPC_CHANNELS.ready, handleReady);
      for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
      for (const page of [...targets.values()]) page.detach();
    },
  };
}

/** Checks the request's shape, the command name and the arguments before the engine sees them. */
function checkRequest(request: unknown): { command: string; args: unknown } | EngineErrorData {
  if (typeof request !== 'object' || request === null || typeof (request as { command?: unknown }).command !== 'string') {
    return { code: 'invalid_argument', message: 'an IPC request must be {command: "domain:verb", args: {…}}' };
  }
  const { command, args } = request as { command: string; args?: unknown };
  if (!isCommandName(command)) {
    return { code: 'unknown_command', message: `unknown command ${JSON.stringify(command.slice(0, MAX_NAME_IN_ERROR))}` };
  }
  const parsed = COMMANDS[command].args.safeParse(args ?? {});
  if (!parsed.success) return { code: 'invalid_argument', message: `${command}: ${describeIssues(parsed.error)}` };
  // The engine validates again; it gets the caller's value so both checks see the same input.
  return { command, args: args ?? {} };
}

function failure(error: EngineErrorData): IpcInvokeReply {
  return { ok: false, error: { code: error.code, message: error.message } };
}

/** The admin server's mapping: engine errors keep their code, anything else is `internal`. */
function toErrorData(error: unknown): EngineErrorData {
  if (error instanceof EngineError) return error.toData();
  if (isEngineErrorData(error)) return error;
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}

/**
 * One page's event feed. Until the page says `qcc:ready`, events wait in a
 * bounded queue where a newer `state:changed` replaces an older one (only the
 * latest snapshot matters). A new document starts not ready with an empty
 * queue: it asks `state:get` itself once its listener is installed.
 */
class AttachedPage {
  private isReady = false;
  private queue: IpcEventMessage[] = [];
  private readonly onNavigation = (details: { isMainFrame?: boolean; isSameDocument?: boolean } | undefined) => {
    // Fragment changes (notification clicks land on `#event=…`) and subframes keep the page as it is.
    if (details?.isMainFrame === false || details?.isSameDocument === true) return;
    this.reset();
  };
  private readonly onGone = () => this.reset();
  private readonly onDestroyed = () => this.detach();

  constructor(
    private readonly webContents: BridgeWebContents,
    private readonly maxQueued: number,
    private readonly forget: () => void,
  ) {
    webContents.on('did-start-navigation', this.onNavigation);
    webContents.on('render-process-gone', this.onGone);
    webContents.on('destroyed', this.onDestroyed);
  }

  push(message: IpcEventMessage): void {
    if (this.webContents.isDestroyed()) {
      this.detach();
      return;
    }
    if (this.isReady) {
      this.webContents.send(IPC_CHANNELS.event, message);
      return;
    }
    if (message.event === 'state:changed') this.queue = this.queue.filter((queued) => queued.event !== 'state:changed');
    this.queue.push(message);
    if (this.queue.length > this.maxQueued) this.queue.splice(0, this.queue.length - this.maxQueued);
  }

  /** The page installed its listener: deliver the backlog in order, then live. */
  ready(): void {
    const backlog = this.queue;
    this.queue = [];
    this.isReady = true;
    for (const message of backlog) {
      if (this.webContents.isDestroyed()) return this.detach();
      this.webContents.send(IPC_CHANNELS.event, message);
    }
  }

  readonly detach = (): void => {
    this.queue = [];
    this.isReady = false;
    this.webContents.removeListener('did-start-navigation', this.onNavigation);
    this.webContents.removeListener('render-process-gone', this.onGone);
    this.webContents.removeListener('destroyed', this.onDestroyed);
    this.forget();
  };

  private reset(): void {
    this.isReady = false;
    this.queue = [];
  }
}
