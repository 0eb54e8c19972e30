import type { CommandArgs, CommandName, CommandResult } from '../../src-shared/contract/commands.js';
import { EngineError, isEngineErrorData } from '../../src-shared/contract/errors.js';
import type { EngineEventName, EngineEvents } from '../../src-shared/contract/events.js';
import { BRIDGE_GLOBAL, type QccBridge } from '../../src-shared/contract/ipc.js';
import type { ConnectableClient } from './engine-store.js';
import type { ConnectionState } from './http-engine-client.js';

type Listener = (payload: never) => void;

/** The preload's `window.qcc`, or null outside Electron (a browser tab uses HTTP instead). */
export function bridgeFrom(scope: object): QccBridge | null {
  const candidate = (scope as Record<string, unknown>)[BRIDGE_GLOBAL];
  if (typeof candidate !== 'object' || candidate === null) return null;
  const { invoke, on } = candidate as Partial<QccBridge>;
  return typeof invoke === 'function' && typeof on === 'function' ? (candidate as QccBridge) : null;
}

/**
 * The EngineClient of the Electron window, over the preload's `window.qcc`.
 * The engine lives in the same app, so the connection is always up; `start()`
 * asks for the current snapshot because, unlike the HTTP event stream, the
 * IPC channel pushes only changes.
 */
export class IpcEngineClient implements ConnectableClient {
  private readonly listeners = new Map<EngineEventName, Set<Listener>>();
  private readonly bridged: (() => void)[] = [];

  constructor(private readonly bridge: QccBridge) {}

  async invoke<K extends CommandName>(command: K, args: CommandArgs<K>): Promise<CommandResult<K>> {
    try {
      return (await this.bridge.invoke(command, args)) as CommandResult<K>;
    } catch (error) {
      throw toEngineError(error);
    }
  }

  on<E extends EngineEventName>(event: E, listener: (payload: EngineEvents[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      const listeners = (set = new Set());
      this.listeners.set(event, listeners);
      // One bridge subscription per event name; the page fans out itself.
      this.bridged.push(this.bridge.on(event, (payload) => this.emit(listeners, payload)));
    }
    set.add(listener as Listener);
    return () => set.delete(listener as Listener);
  }

  onConnection(listener: (state: ConnectionState) => void): () => void {
    listener('connected');
    return () => undefined;
  }

  get connection(): ConnectionState {
    return 'connected';
  }

  /** Loads the current snapshot and hands it to `state:changed` listeners. */
  start(): void {
    this.invoke('state:get', {}).then(
      (snapshot) => this.emit(this.listeners.get('state:changed'), snapshot),
      // Only a broken main process fails here; the dashboard keeps saying "Connecting…".
      () => undefined,
    );
  }

  stop(): void {
    for (const unsubscribe of this.bridged.splice(0)) unsubscribe();
    this.listeners.clear();
  }

  private emit(listeners: Set<Listener> | undefined, payload: unknown): void {
    for (const listener of [...(listeners ?? [])]) listener(payload as never);
  }
}

/** Rebuilds the engine's error in the page: the preload rejects with plain `{code, message}` data. */
function toEngineError(error: unknown): EngineError {
  if (error instanceof EngineError) return error;
  if (isEngineErrorData(error)) return EngineError.fromData(error);
  return new EngineError('internal', error instanceof Error ? error.message : String(error));
}
