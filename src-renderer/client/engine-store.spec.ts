import { describe, expect, it } from 'vitest';
import type { EngineEventName, EngineEvents } from '../../src-shared/contract/events.js';
import type { FailoverEvent } from '../../src-shared/model/event.js';
import { EngineStore, type ConnectableClient } from './engine-store.js';
import type { ConnectionState } from './http-engine-client.js';

function event(id: string, minute: number): FailoverEvent {
  return {
    event_id: id,
    event_type: 'failover',
    from_config: 'production',
    to_config: 'backup',
    reason: 'test',
    success: true,
    timestamp: `2026-11-27T05:${String(minute).padStart(2, '0')}:00.000Z`,
  };
}

/** A client whose history:query answers when the test says so. */
class SlowHistoryClient implements ConnectableClient {
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();
  private connection: ((state: ConnectionState) => void) | null = null;
  answer: ((events: FailoverEvent[]) => void) | null = null;

  invoke = ((command: string) => {
    if (command !== 'history:query') return Promise.reject(new Error(`unexpected ${command}`));
    return new Promise<FailoverEvent[]>((resolve) => (this.answer = resolve));
  }) as ConnectableClient['invoke'];
  on<E extends EngineEventName>(name: E, listener: (payload: EngineEvents[E]) => void): () => void {
    const set = this.listeners.get(name) ?? new Set();
    set.add(listener as (payload: unknown) => void);
    this.listeners.set(name, set);
    return () => set.delete(listener as (payload: unknown) => void);
  }
  onConnection(listener: (state: ConnectionState) => void): () => void {
    this.connection = listener;
    return () => (this.connection = null);
  }
  connect(): void {
    this.connection?.('connected');
  }
  emit<E extends EngineEventName>(name: E, payload: EngineEvents[E]): void {
    for (const listener of this.listeners.get(name) ?? []) listener(payload);
  }
}

describe('EngineStore history', () => {
  it('keeps events pushed while the history query was still running', async () => {
    const client = new SlowHistoryClient();
    const store = new EngineStore(client);
    store.start();
    client.connect();
    client.emit('history:appended', event('new', 30));
    client.answer!([event('older', 20), event('oldest', 10)]);
    await Promise.resolve();
    await Promise.resolve();
    expect(store.getView().history.map((entry) => entry.event_id)).toEqual(['new', 'older', 'oldest']);
  });

  it('does not list an event twice when the query already has it', async () => {
    const client = new SlowHistoryClient();
    const store = new EngineStore(client);
    store.start();
    client.connect();
    client.emit('history:appended', event('both', 30));
    client.answer!([event('both', 30), event('older', 20)]);
    await Promise.resolve();
    await Promise.resolve();
    expect(store.getView().history.map((entry) => entry.event_id)).toEqual(['both', 'older']);
  });
});
