import type { CommandArgs, CommandName, CommandResult } from '../../src-shared/contract/commands.js';
import { EngineError, isEngineErrorData } from '../../src-shared/contract/errors.js';
import type { EngineClient, EngineEventName, EngineEvents } from '../../src-shared/contract/events.js';

/** Whether the event stream to the engine is up. */
export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

type Listener = (payload: never) => void;

const RETRY_DELAYS_MS = [250, 500, 1_000, 2_000, 4_000];

/**
 * The EngineClient of a browser tab: commands over `POST /api/rpc`, events
 * over a streamed `GET /api/events` (fetch, so the admin token travels in a
 * header, never in a URL). Reconnects by itself with backoff; every new
 * connection starts with a full snapshot.
 */
export class HttpEngineClient implements EngineClient {
  private readonly listeners = new Map<EngineEventName, Set<Listener>>();
  private readonly connectionListeners = new Set<(state: ConnectionState) => void>();
  private state: ConnectionState = 'connecting';
  private abort: AbortController | null = null;
  private stopped = false;
  private attempt = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async invoke<K extends CommandName>(command: K, args: CommandArgs<K>): Promise<CommandResult<K>> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/api/rpc`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ command, args }),
      });
    } catch {
      throw new EngineError('failed_precondition', 'QCC is not reachable; is the daemon running?');
    }
    const body = (await response.json().catch(() => null)) as { ok?: boolean; result?: unknown; error?: unknown } | null;
    if (body?.ok === true) return body.result as CommandResult<K>;
    if (body && isEngineErrorData(body.error)) throw EngineError.fromData(body.error);
    throw new EngineError('internal', `QCC answered ${response.status}`);
  }

  on<E extends EngineEventName>(event: E, listener: (payload: EngineEvents[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener);
    return () => set.delete(listener as Listener);
  }

  onConnection(listener: (state: ConnectionState) => void): () => void {
    this.connectionListeners.add(listener);
    listener(this.state);
    return () => this.connectionListeners.delete(listener);
  }

  get connection(): ConnectionState {
    return this.state;
  }

  /** Opens the event stream and keeps it open until `stop()`. */
  start(): void {
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }

  private async connect(): Promise<void> {
    while (!this.stopped) {
      this.setState(this.attempt === 0 ? 'connecting' : 'disconnected');
      this.abort = new AbortController();
      try {
        const response = await fetch(`${this.baseUrl}/api/events`, {
          headers: { authorization: `Bearer ${this.token}` },
          signal: this.abort.signal,
        });
        if (!response.ok || !response.body) throw new Error(`event stream answered ${response.status}`);
        await this.read(response.body);
      } catch {
        // Dropped or refused: fall through to the retry below.
      }
      if (this.stopped) return;
      this.setState('disconnected');
      const delay = RETRY_DELAYS_MS[Math.min(this.attempt, RETRY_DELAYS_MS.length - 1)] as number;
      this.attempt += 1;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end !== -1) {
        this.dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
      }
    }
  }

  private dispatch(block: string): void {
    let name = '';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) name = line.slice(7);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    if (!name || !data) return; // heartbeat comments
    if (name === 'state:changed') {
      this.attempt = 0;
      this.setState('connected');
    }
    const payload = JSON.parse(data) as never;
    for (const listener of this.listeners.get(name as EngineEventName) ?? []) listener(payload);
  }

  private setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    for (const listener of this.connectionListeners) listener(state);
  }
}

/**
 * Reads the admin token from the URL fragment (`#token=…`, never sent to a
 * server), keeps it for this tab, and removes it from the address bar.
 */
export function takeTokenFromLocation(location: Location, storage: Storage, history: History): string | null {
  const match = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
  if (match?.[1]) {
    const token = decodeURIComponent(match[1]);
    storage.setItem('qcc-admin-token', token);
    history.replaceState(null, '', location.pathname + location.search);
    return token;
  }
  return storage.getItem('qcc-admin-token');
}
