/**
 * The ways a fake upstream can misbehave, switchable at run time. Each one
 * reproduces an outcome the failover engine must classify (architecture.md §4.2).
 */
export type Fault =
  /** Stop listening and drop open connections: clients get ECONNREFUSED. Lasts until cleared, whatever `times` says. */
  | { kind: 'refuse' }
  /** Read the request, never answer: the client's own timeout is the only way out. */
  | { kind: 'hang' }
  /** Answer normally, after `delayMs` of silence before the headers. */
  | { kind: 'slow_first_byte'; delayMs: number }
  /** An Anthropic-format error with this status, and `retry-after` when given. */
  | { kind: 'status'; status: number; retryAfterSeconds?: number }
  /** 529 overloaded_error. */
  | { kind: 'overloaded' }
  /** 429 rate_limit_error with `retry-after` and `anthropic-ratelimit-requests-reset`. */
  | { kind: 'rate_limited'; retryAfterSeconds: number }
  /** 401 authentication_error. */
  | { kind: 'unauthorized' }
  /** A 200 event stream whose only event is an overloaded `error` (a non-streaming request gets 529). */
  | { kind: 'sse_error_first' }
  /** Send `afterEvents` events, then reset the connection (a non-streaming request gets half its body). */
  | { kind: 'reset_mid_stream'; afterEvents: number }
  /** Send `afterEvents` events, then end cleanly without `message_stop` (a non-streaming request gets half its body). */
  | { kind: 'cut_stream'; afterEvents: number }
  /** A normal stream with `intervalMs` between events (a non-streaming request is answered normally). */
  | { kind: 'slow_drip'; intervalMs: number };

/** Faults that only a valid `POST /v1/messages` can trigger; other requests pass untouched and do not use up `times`. */
export type MessageFault = Extract<Fault, { kind: 'sse_error_first' | 'reset_mid_stream' | 'cut_stream' | 'slow_drip' }>;

/** Faults that hit every request, whatever its route. */
export type RequestFault = Exclude<Fault, MessageFault | { kind: 'refuse' }>;

const MESSAGE_FAULTS: ReadonlySet<Fault['kind']> = new Set(['sse_error_first', 'reset_mid_stream', 'cut_stream', 'slow_drip']);

/** Whether a fault waits for a valid `POST /v1/messages` rather than hitting any request. */
export function isMessageFault(fault: Fault): fault is MessageFault {
  return MESSAGE_FAULTS.has(fault.kind);
}

/** Rejects nonsense numbers up front, so a typo in a test fails at the call that made it. */
export function assertValidFault(fault: Fault): void {
  const check = (name: string, value: number, min: number): void => {
    if (!Number.isFinite(value) || value < min) throw new RangeError(`fault ${fault.kind}: ${name} must be a number >= ${min}, got ${value}`);
  };
  switch (fault.kind) {
    case 'slow_first_byte':
      check('delayMs', fault.delayMs, 0);
      break;
    case 'status':
      if (!Number.isInteger(fault.status) || fault.status < 100 || fault.status > 599) throw new RangeError(`fault status: status must be an HTTP status, got ${fault.status}`);
      if (fault.retryAfterSeconds !== undefined) check('retryAfterSeconds', fault.retryAfterSeconds, 0);
      break;
    case 'rate_limited':
      check('retryAfterSeconds', fault.retryAfterSeconds, 0);
      break;
    case 'reset_mid_stream':
    case 'cut_stream':
      if (!Number.isInteger(fault.afterEvents) || fault.afterEvents < 0) throw new RangeError(`fault ${fault.kind}: afterEvents must be an integer >= 0, got ${fault.afterEvents}`);
      break;
    case 'slow_drip':
      check('intervalMs', fault.intervalMs, 0);
      break;
    default:
      break;
  }
}
