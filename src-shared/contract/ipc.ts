import type { EngineErrorData } from './errors.js';
import type { EngineEventName, EngineEvents } from './events.js';

/**
 * Every Electron IPC channel, declared once (GitHub Desktop's `ipc-shared`).
 * Only the IPC bridge (main) and the preload use these; no other file names a
 * channel.
 */
export const IPC_CHANNELS = {
  /** renderer → main, request/response: one engine command. */
  invoke: 'qcc:invoke',
  /** main → renderer: one engine event. */
  event: 'qcc:event',
  /** renderer → main: the page's event listener is installed; flush what was queued. */
  ready: 'qcc:ready',
} as const;

export type IpcChannel = (typeof IPC_CHANNELS)[keyof typeof IPC_CHANNELS];

/** The payload of `qcc:invoke`: one command, one object argument. */
export interface IpcInvokeRequest {
  command: string;
  args: unknown;
}

/**
 * The reply to `qcc:invoke`. Errors travel as data, never as a thrown Error:
 * Electron keeps only `message` of a thrown error, and the renderer branches on `code`.
 */
export type IpcInvokeReply = { ok: true; result: unknown } | { ok: false; error: EngineErrorData };

/** The payload of `qcc:event`. */
export type IpcEventMessage = { [E in EngineEventName]: { event: E; payload: EngineEvents[E] } }[EngineEventName];

/** The key the preload exposes on `window` (`window.qcc`). */
export const BRIDGE_GLOBAL = 'qcc';

/**
 * What the preload hands the page, and nothing more: the EngineClient's two
 * methods, untyped at the boundary (the renderer's IpcEngineClient adds the types).
 * `invoke` rejects with plain `{code, message}` data: contextBridge strips an
 * Error's own properties, so a thrown Error would lose its code.
 */
export interface QccBridge {
  invoke(command: string, args: unknown): Promise<unknown>;
  /** Throws for a name that is not an engine event. Returns an unsubscribe function. */
  on(event: string, listener: (payload: unknown) => void): () => void;
}
