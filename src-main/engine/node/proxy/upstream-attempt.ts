import type { AttemptOutcome } from '../../core/outcome.js';
import type { Candidate } from '../../core/request-planner.js';
import { anthropicErrorEvent } from './anthropic-error.js';
import { classifyResponse, describeTransportError } from './classify-response.js';
import { clientResponseHead, headerRecord, upstreamRequestHeaders, type ResponseHead } from './forward-headers.js';
import type { Exchange } from './proxy-exchange.js';
import { StreamTail, inspectFirstEvent, isEventStream } from './sse-inspector.js';
import { UpstreamRequest, type UpstreamHandler } from './upstream/upstream-client.js';

/**
 * A non-streaming response's headers arrive only when the whole message is
 * ready, which can take minutes; the Anthropic SDK waits up to 10 minutes.
 * Failing over earlier would pay for the same answer twice.
 */
const NON_STREAMING_HEADERS_TIMEOUT_MS = 600_000;

/** Error bodies held for "return the last upstream error as received"; more is cut. */
const MAX_HELD_ERROR_BYTES = 64 * 1024;

/** Where an attempt is: each client callback means something different in each phase. */
type Phase =
  /** Request sent (or queued); no response head yet. */
  | 'waiting'
  /** A failure status: reading its body to hand back if every candidate fails. */
  | 'error-body'
  /** A good stream: holding bytes until its first whole event passes the commit rule. */
  | 'first-event'
  /** Committed: bytes go to the client as they arrive. */
  | 'relaying'
  | 'done';

const NO_HEADERS: Record<string, string> = {};

/**
 * One upstream attempt as the upstream client's handler: classify the head,
 * apply the commit rule, then relay with backpressure (the client pauses the
 * upstream socket while `onData` returns false). No body stream, promise or
 * AbortController per request: the abort the client hands to `onStart` is
 * used only when the client leaves or the attempt is given up.
 */
export class UpstreamAttempt implements UpstreamHandler {
  private phase: Phase = 'waiting';
  private abortUpstream: (() => void) | null = null;
  private resumeUpstream: (() => void) | null = null;
  private onDrain: (() => void) | null = null;
  private readonly startedAt = performance.now();
  private latencyMs = 0;
  private status = 0;
  private head: ResponseHead | null = null;
  /** Bytes held before commit: an error body, or a stream up to its first event. */
  private held: Buffer[] = [];
  private heldBytes = 0;
  private heldText = '';
  private timer: NodeJS.Timeout | null = null;
  private tail: StreamTail | null = null;
  private stream = false;

  constructor(
    private readonly exchange: Exchange,
    private readonly candidate: Candidate,
  ) {}

  /** Sends the request upstream: body replayed byte-exact from memory. */
  dispatch(): void {
    const { exchange, candidate } = this;
    const { req } = exchange;
    const { endpoint } = candidate;
    const policy = exchange.policy;
    const target = exchange.context.targets.resolve(endpoint.base_url, req.url);
    const request = new UpstreamRequest(
      req.method,
      target.path,
      upstreamRequestHeaders(req.rawHeaders, endpoint.api_key, endpoint.auth_style),
      exchange.body.length > 0 ? exchange.body : null,
      exchange.streamRequested ? policy.first_byte_timeout_ms : Math.max(policy.first_byte_timeout_ms, NON_STREAMING_HEADERS_TIMEOUT_MS),
      policy.stream_idle_timeout_ms,
    );
    exchange.context.upstreams.for(policy).dispatch(target.origin, request, this);
  }

  /** The client went away: abort upstream at once; before commit that is no one's fault. */
  cancel(): void {
    const phase = this.phase;
    if (phase === 'done') return;
    this.abandon();
    // An error-body attempt has reported its failure already; after commit the success is reported.
    if (phase === 'waiting' || phase === 'first-event') this.report({ kind: 'neutral' });
    this.exchange.finish();
  }

  /** Stops this attempt without a word to anyone: no report, no response (the caller answers). */
  abandon(): void {
    if (this.phase === 'done') return;
    this.phase = 'done';
    this.clearTimer();
    this.stopWaitingForDrain();
    this.abortUpstream?.();
  }

  onStart(abort: () => void): void {
    // Cancelled while queued for a connection: stop before anything is sent.
    if (this.phase === 'done') abort();
    else this.abortUpstream = abort;
  }

  onHeaders(status: number, received: string[], resume: () => void): boolean {
    if (this.phase !== 'waiting') return false;
    try {
      this.resumeUpstream = resume;
      this.latencyMs = performance.now() - this.startedAt;
      this.status = status;
      const head = clientResponseHead(received);
      this.head = head;
      const verdict = classifyResponse(status, status < 400 ? NO_HEADERS : headerRecord(head.headers), Date.now());
      if (verdict.action === 'next') {
        this.report(verdict.outcome);
        this.exchange.lastDetail = `HTTP ${status}`;
        this.phase = 'error-body';
        return true;
      }
      this.stream = isEventStream(head.contentType) && head.contentEncoding === undefined;
      if (verdict.action === 'commit' && this.stream) {
        this.phase = 'first-event';
        this.timer = setTimeout(firstEventTimedOut, Math.max(this.exchange.policy.first_byte_timeout_ms - this.latencyMs, 0), this);
        this.timer.unref();
        return true;
      }
      return this.commit(verdict.action === 'commit' ? { kind: 'success', latency_ms: this.latencyMs } : { kind: 'neutral' });
    } catch (error) {
      return this.crash(error);
    }
  }

  onData(chunk: Buffer): boolean {
    try {
      switch (this.phase) {
        case 'relaying':
          this.tail?.push(chunk);
          return this.write(chunk);
        case 'error-body':
          this.hold(chunk);
          if (this.heldBytes < MAX_HELD_ERROR_BYTES) return true;
          this.keepErrorBody();
          return this.giveUp();
        case 'first-event': {
          this.hold(chunk);
          this.heldText += chunk.toString('latin1');
          const first = inspectFirstEvent(this.heldText);
          if (!first.complete) return true;
          this.clearTimer();
          if (first.isError) {
            this.failBeforeCommit('stream began with an error event');
            return this.giveUp();
          }
          return this.commit({ kind: 'success', latency_ms: this.latencyMs });
        }
        default:
          return false;
      }
    } catch (error) {
      return this.crash(error);
    }
  }

  onComplete(): void {
    const phase = this.phase;
    if (phase === 'done') return;
    this.phase = 'done';
    try {
      switch (phase) {
        case 'relaying':
          this.stopWaitingForDrain();
          if (this.tail && !this.tail.endedWithMessageStop()) this.failAfterCommit('stream ended without message_stop');
          else this.exchange.res.end();
          this.exchange.finish();
          return;
        case 'error-body':
          this.keepErrorBody();
          this.exchange.failedOver();
          return;
        case 'first-event':
          this.clearTimer();
          this.failBeforeCommit(this.held.length === 0 ? 'empty stream' : 'stream ended before its first event');
          this.exchange.failedOver();
          return;
        default:
          return;
      }
    } catch (error) {
      this.exchange.crashed(error);
    }
  }

  onError(error: Error): void {
    const phase = this.phase;
    if (phase === 'done') return;
    this.phase = 'done';
    this.clearTimer();
    try {
      switch (phase) {
        case 'waiting': {
          const detail = describeTransportError(error);
          this.report({ kind: 'failure', detail });
          this.exchange.lastDetail = detail;
          this.exchange.failedOver();
          return;
        }
        case 'error-body':
          // A failure body cut short still says what went wrong.
          this.keepErrorBody();
          this.exchange.failedOver();
          return;
        case 'first-event':
          this.failBeforeCommit(describeTransportError(error));
          this.exchange.failedOver();
          return;
        default:
          this.stopWaitingForDrain();
          this.failAfterCommit(describeTransportError(error));
          this.exchange.finish();
      }
    } catch (thrown) {
      this.exchange.crashed(thrown);
    }
  }

  /** The first event took too long: this stream counts as failed and the next candidate gets the request. */
  timedOut(): void {
    this.timer = null;
    if (this.phase !== 'first-event') return;
    try {
      this.failBeforeCommit('no stream event within the first-byte timeout');
      this.giveUp();
    } catch (error) {
      this.crash(error);
    }
  }

  /** Status, headers and — for a stream — the first event passed: the client gets them now. */
  private commit(outcome: AttemptOutcome): boolean {
    const { exchange, candidate } = this;
    const head = this.head as ResponseHead;
    this.report(outcome);
    const { log, res } = exchange;
    log.config = candidate.config;
    log.endpoint_id = candidate.endpoint.id;
    log.attempts = exchange.attempts;
    log.streamed = this.stream;
    this.phase = 'relaying';
    head.headers.push('x-qcc-config', candidate.config, 'x-qcc-endpoint', candidate.endpoint.id, 'x-qcc-attempts', String(exchange.attempts));
    res.writeHead(this.status, head.headers);
    if (!this.stream) return true;
    const tail = new StreamTail();
    this.tail = tail;
    let writable = true;
    for (const chunk of this.held) {
      tail.push(chunk);
      writable = res.write(chunk);
    }
    this.held = [];
    this.heldText = '';
    return writable || this.waitForDrain();
  }

  private write(chunk: Buffer): boolean {
    return this.exchange.res.write(chunk) || this.waitForDrain();
  }

  /** The client is slower than the upstream: the upstream socket is held until the response drains. */
  private waitForDrain(): false {
    if (this.onDrain === null) {
      this.onDrain = () => this.resumeUpstream?.();
      this.exchange.res.onDrain = this.onDrain;
    }
    return false;
  }

  private stopWaitingForDrain(): void {
    if (this.onDrain !== null && this.exchange.res.onDrain === this.onDrain) this.exchange.res.onDrain = null;
    this.onDrain = null;
  }

  /** A committed response broke: a stream gets a well-formed `event: error`, anything else a cut connection. */
  private failAfterCommit(detail: string): void {
    const { res, log } = this.exchange;
    this.report({ kind: 'failure', detail });
    log.error = detail;
    if (this.stream && !res.destroyed) res.end(anthropicErrorEvent(`QCC: upstream stream failed (${detail})`));
    else res.destroy();
  }

  /** A stream that failed the commit rule: its bytes are held as this attempt's failure. */
  private failBeforeCommit(detail: string): void {
    this.report({ kind: 'failure', detail });
    this.exchange.lastFailure = { status: this.status, headers: (this.head as ResponseHead).headers, body: Buffer.concat(this.held) };
    this.exchange.lastDetail = detail;
  }

  private keepErrorBody(): void {
    const body = Buffer.concat(this.held, this.heldBytes);
    this.exchange.lastFailure = { status: this.status, headers: (this.head as ResponseHead).headers, body: body.subarray(0, MAX_HELD_ERROR_BYTES) };
  }

  /** Drops the upstream response (and its connection) and moves to the next candidate. */
  private giveUp(): false {
    this.abandon();
    this.exchange.failedOver();
    return false;
  }

  /** QCC's own code threw inside a client callback. */
  private crash(error: unknown): false {
    this.abandon();
    this.exchange.crashed(error);
    return false;
  }

  private hold(chunk: Buffer): void {
    this.held.push(chunk);
    this.heldBytes += chunk.length;
  }

  private report(outcome: AttemptOutcome): void {
    this.exchange.plan?.report(this.candidate, outcome);
  }

  private clearTimer(): void {
    if (this.timer === null) return;
    clearTimeout(this.timer);
    this.timer = null;
  }
}

function firstEventTimedOut(attempt: UpstreamAttempt): void {
  attempt.timedOut();
}
