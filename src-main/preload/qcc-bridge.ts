import type { IpcRendererEvent } from 'electron';
import { isEngineErrorData, type EngineErrorData } from '../../src-shared/contract/errors.js';
import { ENGINE_EVENT_NAMES } from '../../src-shared/contract/events.js';
import { IPC_CHANNELS, type IpcInvokeReply, type QccBridge } from '../../src-shared/contract/ipc.js';

/** The part of `ipcRenderer` the bridge uses; Electron's `ipcRenderer` satisfies it. */
export interface BridgeIpcRenderer {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  send(channel: string, ...args: unknown[]): void;
  on(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): unknown;
}

type Listener = (payload: unknown) => void;

const EVENT_NAMES: ReadonlySet<string> = new Set(ENGINE_EVENT_NAMES);

/**
 * The page's whole view of Electron: `invoke` and `on` over the channels of
 * the contract. Closes over `ipcRenderer` and never returns it or any Electron
 * object; listeners get the payload alone, never the IPC event.
 *
 * `qcc:ready` goes out once, a microtask after the first `on()`: by then the
 * store has subscribed to every event it needs (it subscribes synchronously),
 * so the backlog main flushes in reply finds its listeners. Tying readiness to
 * DOMContentLoaded instead would flush to a page that may not have subscribed
 * yet, and the events would be lost.
 */
export function createQccBridge(ipcRenderer: BridgeIpcRenderer): QccBridge {
  const listeners = new Map<string, Set<Listener>>();
  let readySent = false;

  ipcRenderer.on(IPC_CHANNELS.event, (_event, message) => {
    if (typeof message !== 'object' || message === null) return;
    const { event, payload } = message as { event?: unknown; payload?: unknown };
    if (typeof event !== 'string') return;
    for (const listener of [...(listeners.get(event) ?? [])]) {
      try {
        listener(payload);
      } catch (error) {
        // One failing page listener must not starve the others.
        console.error(error);
      }
    }
  });

  return {
    async invoke(command, args) {
      const reply = (await ipcRenderer.invoke(IPC_CHANNELS.invoke, { command, args })) as IpcInvokeReply | null;
      if (reply?.ok === true) return reply.result;
      // Plain data, not an Error: contextBridge would strip an Error's `code`.
      const error: EngineErrorData =
        reply && isEngineErrorData(reply.error) ? { code: reply.error.code, message: reply.error.message } : { code: 'internal', message: 'QCC sent a malformed reply' };
      throw error;
    },

    on(event, listener) {
      if (!EVENT_NAMES.has(event)) throw new Error(`unknown engine event "${String(event).slice(0, 80)}"`);
      if (typeof listener !== 'function') throw new Error('listener must be a function');
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const own: Listener = (payload) => listener(payload);
      set.add(own);
      if (!readySent) {
        readySent = true;
        queueMicrotask(() => ipcRenderer.send(IPC_CHANNELS.ready));
      }
      return () => {
        set.delete(own);
      };
    },
  };
}
