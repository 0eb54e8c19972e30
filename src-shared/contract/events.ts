import type { FailoverEvent } from '../model/event.js';
import type { BreakerState, EjectionCause } from '../model/health.js';
import type { CommandArgs, CommandName, CommandResult } from './commands.js';
import type { EngineSnapshot } from './snapshot.js';

/** Something the user should be told (tray balloon, native notification, CLI line). */
export type NotificationKind =
  | 'failover'
  | 'recovery'
  | 'all_down'
  | 'flapping'
  | 'recovery_ready'
  | 'credential_rejected';

export interface EngineNotification {
  kind: NotificationKind;
  title: string;
  body: string;
  /** The history entry this is about, for "open the dashboard at that event". */
  event_id: string | null;
  config: string | null;
}

/** One breaker transition of one endpoint. */
export interface BreakerTransition {
  config: string;
  endpoint_id: string;
  from: BreakerState;
  to: BreakerState;
  cause: EjectionCause | null;
  /** Epoch ms. */
  at: number;
}

/** Every event the engine pushes, `domain:past-tense`, each with one payload. */
export interface EngineEvents {
  'state:changed': EngineSnapshot;
  'history:appended': FailoverEvent;
  'health:changed': BreakerTransition;
  'notification:raised': EngineNotification;
}

export type EngineEventName = keyof EngineEvents;
export const ENGINE_EVENT_NAMES: readonly EngineEventName[] = [
  'state:changed',
  'history:appended',
  'health:changed',
  'notification:raised',
];

/** The client surface derived from the contract: the only API the renderer gets. */
export interface EngineClient {
  invoke<K extends CommandName>(command: K, args: CommandArgs<K>): Promise<CommandResult<K>>;
  /** Returns an unsubscribe function. */
  on<E extends EngineEventName>(event: E, listener: (payload: EngineEvents[E]) => void): () => void;
}
