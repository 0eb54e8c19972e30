import type { EngineClient } from '../../src-shared/contract/events.js';
import type { EngineSnapshot } from '../../src-shared/contract/snapshot.js';
import type { FailoverEvent } from '../../src-shared/model/event.js';
import type { ConnectionState } from './http-engine-client.js';

/** What the dashboard renders from. */
export interface EngineView {
  snapshot: EngineSnapshot | null;
  connection: ConnectionState;
  /** Recent history, newest first (loaded on connect, then appended live). */
  history: FailoverEvent[];
}

/** A client that can also report its connection (the HTTP one; the IPC one later). */
export interface ConnectableClient extends EngineClient {
  onConnection(listener: (state: ConnectionState) => void): () => void;
}

const HISTORY_LIMIT = 500;

/**
 * Holds the latest engine state for the UI. Snapshots only move forward by
 * `revision`, except right after a (re)connect, when the daemon may have
 * restarted and counts from zero again.
 */
export class EngineStore {
  private view: EngineView = { snapshot: null, connection: 'connecting', history: [] };
  private readonly subscribers = new Set<() => void>();
  private acceptAnyRevision = true;
  private readonly unsubscribers: (() => void)[] = [];

  constructor(private readonly client: ConnectableClient) {}

  start(): void {
    this.unsubscribers.push(
      this.client.onConnection((connection) => {
        if (connection !== 'connected') this.acceptAnyRevision = true;
        this.set({ connection });
        if (connection === 'connected') void this.loadHistory();
      }),
      this.client.on('state:changed', (snapshot) => this.acceptSnapshot(snapshot)),
      this.client.on('history:appended', (event) => {
        if (this.view.history.some((known) => known.event_id === event.event_id)) return;
        this.set({ history: [event, ...this.view.history].slice(0, HISTORY_LIMIT) });
      }),
    );
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
  }

  /** Applies a snapshot unless it is older than the one shown. */
  acceptSnapshot(snapshot: EngineSnapshot): void {
    const current = this.view.snapshot;
    if (!this.acceptAnyRevision && current && snapshot.revision < current.revision) return;
    this.acceptAnyRevision = false;
    this.set({ snapshot });
  }

  getView = (): EngineView => this.view;

  subscribe = (listener: () => void): (() => void) => {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  };

  private async loadHistory(): Promise<void> {
    try {
      const loaded = await this.client.invoke('history:query', { limit: HISTORY_LIMIT });
      // Events pushed while the query ran are newer than its answer: keep them on top instead of losing them.
      const known = new Set(loaded.map((event) => event.event_id));
      const arrived = this.view.history.filter((event) => !known.has(event.event_id));
      this.set({ history: [...arrived, ...loaded].slice(0, HISTORY_LIMIT) });
    } catch {
      // The next reconnect tries again; the panel shows what it has.
    }
  }

  private set(patch: Partial<EngineView>): void {
    this.view = { ...this.view, ...patch };
    for (const subscriber of this.subscribers) subscriber();
  }
}
