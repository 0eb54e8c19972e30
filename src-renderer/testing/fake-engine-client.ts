import type { CommandArgs, CommandName, CommandResult } from '../../src-shared/contract/commands.js';
import { EngineError } from '../../src-shared/contract/errors.js';
import type { EngineEventName, EngineEvents } from '../../src-shared/contract/events.js';
import type { ConnectableClient } from '../client/engine-store.js';
import type { ConnectionState } from '../client/http-engine-client.js';

type Handler = (args: never) => unknown;

/**
 * An engine client for component tests: commands are recorded and answered by
 * per-command handlers, events and connection changes are pushed by the test.
 * Like the real clients it tells a new connection listener the current state.
 */
export class FakeEngineClient implements ConnectableClient {
  readonly calls: { command: CommandName; args: unknown }[] = [];
  private readonly handlers = new Map<CommandName, Handler>();
  private readonly listeners = new Map<EngineEventName, Set<(payload: never) => void>>();
  private readonly connectionListeners = new Set<(state: ConnectionState) => void>();

  constructor(private state: ConnectionState = 'connecting') {}

  /** Answers `command` with `handler` from now on; a throwing handler is a failed command. */
  handle<K extends CommandName>(command: K, handler: (args: CommandArgs<K>) => CommandResult<K> | Promise<CommandResult<K>>): void {
    this.handlers.set(command, handler as Handler);
  }

  async invoke<K extends CommandName>(command: K, args: CommandArgs<K>): Promise<CommandResult<K>> {
    this.calls.push({ command, args });
    const handler = this.handlers.get(command);
    // The store loads history on every connect: tests that do not care about it need not say so.
    if (command === 'history:query' && !handler) return [] as CommandResult<K>;
    if (!handler) throw new EngineError('unknown_command', `no fake handler for ${command}`);
    return (await handler(args as never)) as CommandResult<K>;
  }

  /** The arguments of every `command` invoked so far, oldest first. */
  callsOf<K extends CommandName>(command: K): CommandArgs<K>[] {
    return this.calls.filter((call) => call.command === command).map((call) => call.args as CommandArgs<K>);
  }

  on<E extends EngineEventName>(event: E, listener: (payload: EngineEvents[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  onConnection(listener: (state: ConnectionState) => void): () => void {
    this.connectionListeners.add(listener);
    listener(this.state);
    return () => this.connectionListeners.delete(listener);
  }

  /** Delivers `payload` to the listeners of `event`, as the engine's event stream would. */
  emit<E extends EngineEventName>(event: E, payload: EngineEvents[E]): void {
    for (const listener of this.listeners.get(event) ?? []) listener(payload as never);
  }

  /** Moves the connection to `state` and tells every listener. */
  setConnection(state: ConnectionState): void {
    this.state = state;
    for (const listener of this.connectionListeners) listener(state);
  }

  /** Shorthand for `setConnection('connected')`. */
  connect(): void {
    this.setConnection('connected');
  }
}
