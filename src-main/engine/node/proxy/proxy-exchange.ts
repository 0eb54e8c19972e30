import type { FailoverPolicy } from '../../../../src-shared/model/policy.js';
import type { RequestPlan } from '../../core/engine.js';
import { CLOSE_CONNECTION, sendAnthropicError } from './anthropic-error.js';
import { replaceHeaders } from './forward-headers.js';
import type { BodyListener, Http1Request } from './http1/http1-request.js';
import type { Http1Response } from './http1/http1-response.js';
import type { RequestError } from './http1/request-head.js';
import { UpstreamAttempt } from './upstream-attempt.js';
import type { UpstreamClients, UpstreamTargets } from './upstream-clients.js';

/** What the proxy needs from the engine. */
export interface ProxyEngine {
  plan(): RequestPlan;
  readonly policy: FailoverPolicy;
}

/** One line of the request log: no keys, no bodies. */
export interface ProxiedRequestLog {
  method: string;
  path: string;
  status: number;
  config: string | null;
  endpoint_id: string | null;
  attempts: number;
  latency_ms: number;
  streamed: boolean;
  /** Why the request did not end well, if it did not. */
  error: string | null;
}

/** What every exchange shares with the server that accepted it. */
export interface ExchangeContext {
  readonly engine: ProxyEngine;
  readonly upstreams: UpstreamClients;
  readonly targets: UpstreamTargets;
  readonly onRequest: ((entry: ProxiedRequestLog) => void) | undefined;
}

/** An upstream error held for "return the last upstream error as received". */
export interface HeldResponse {
  status: number;
  /** Flat `[name, value, …]`, hop-by-hop headers already dropped. */
  headers: string[];
  body: Buffer;
}

const RESENT_LENGTH = new Set(['content-length', 'x-qcc-attempts']);

/** Anthropic's 413 message, and what the request log says. */
export const TOO_LARGE_MESSAGE = 'Request exceeds the maximum allowed number of bytes.';
export const TOO_LARGE_ERROR = 'request body too large';

/**
 * One client request from its body to its log line (architecture.md §4.3):
 * plan → attempt each candidate in turn → the first that commits is relayed;
 * when all fail, the last upstream error is returned as received. Callbacks,
 * not promises: this is the proxy's hot path.
 */
export class Exchange implements BodyListener {
  body: Buffer = EMPTY;
  /** The body asks for `"stream": true`: headers then come at once, so the first-byte timeout applies to them. */
  streamRequested = false;
  attempts = 0;
  lastFailure: HeldResponse | null = null;
  lastDetail: string | null = null;
  /** The client closed its connection before the response was finished. */
  clientGone = false;
  plan: RequestPlan | null = null;
  private current: UpstreamAttempt | null = null;
  private nextCandidate = 0;
  private finished = false;

  constructor(
    readonly context: ExchangeContext,
    readonly req: Http1Request,
    readonly res: Http1Response,
    readonly log: ProxiedRequestLog,
    private readonly started: number,
  ) {}

  get policy(): FailoverPolicy {
    return this.context.engine.policy;
  }

  /** The whole request body arrived: start forwarding it. */
  bodyReceived(body: Buffer): void {
    try {
      this.start(body);
    } catch (error) {
      this.crashed(error);
    }
  }

  /** The body will not arrive whole: too large (a chunked body passing the cap), malformed framing, or too slow. */
  bodyRefused(error: RequestError): void {
    if (error.status === 413) this.refuse(413, TOO_LARGE_ERROR, TOO_LARGE_MESSAGE);
    else this.refuse(error.status, error.message, error.message);
  }

  /** Answers with one of QCC's errors without reading the rest of the request, so the connection closes after it. */
  refuse(status: number, logError: string, message: string): void {
    this.log.error = logError;
    sendAnthropicError(this.res, status, message, CLOSE_CONNECTION);
    this.finish();
  }

  /** The request body is in: plan and make the first attempt. */
  start(body: Buffer): void {
    this.body = body;
    this.streamRequested = asksForStream(body);
    const plan = this.context.engine.plan();
    this.plan = plan;
    if (plan.candidates.length === 0) {
      this.log.error = 'no config to serve from';
      sendAnthropicError(this.res, 503, 'QCC has no enabled config with an endpoint to serve from. Add one with `qcc add` or in the dashboard.');
      this.finish();
      return;
    }
    this.tryNext();
  }

  /** Attempts the next candidate, or answers with the last failure when none is left. */
  tryNext(): void {
    this.current = null;
    try {
      if (this.clientGone) return this.finish();
      const candidate = this.plan?.candidates[this.nextCandidate++];
      if (candidate === undefined) return this.sendLastFailure();
      this.attempts += 1;
      const attempt = new UpstreamAttempt(this, candidate);
      this.current = attempt;
      attempt.dispatch();
    } catch (error) {
      this.crashed(error);
    }
  }

  /** An attempt failed inside an upstream client callback: move on once that callback has returned. */
  failedOver(): void {
    queueMicrotask(() => this.tryNext());
  }

  /** The client's connection closed before the response finished: stop the upstream at once. */
  clientClosed(): void {
    if (this.finished) return;
    this.clientGone = true;
    try {
      if (this.current) this.current.cancel();
      else if (this.plan === null) {
        this.log.error = 'client went away before sending its whole request';
        this.finish();
      }
    } catch (error) {
      this.crashed(error);
    }
  }

  /** Something in QCC itself threw: the client gets a 500 (or a cut connection after commit). */
  crashed(error: unknown): void {
    const current = this.current;
    this.current = null;
    current?.abandon();
    if (this.finished) return;
    const message = `QCC internal error: ${error instanceof Error ? error.message : String(error)}`;
    this.log.error = message;
    if (!this.res.headersSent) sendAnthropicError(this.res, 500, message);
    else this.res.destroy();
    this.finish();
  }

  /** Writes the request log line; once per exchange. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.current = null;
    const { log } = this;
    log.status = this.res.statusCode;
    log.latency_ms = Math.round((performance.now() - this.started) * 100) / 100;
    this.context.onRequest?.(log);
  }

  /** Every candidate failed: the client gets the last upstream error as received, or one of ours. */
  private sendLastFailure(): void {
    const { res, lastFailure, attempts } = this;
    this.log.attempts = attempts;
    this.log.error = `all ${attempts} attempts failed: ${this.lastDetail ?? 'unknown error'}`;
    if (!res.destroyed && !res.headersSent) {
      if (lastFailure) {
        res.writeHead(lastFailure.status, replaceHeaders(lastFailure.headers, RESENT_LENGTH, ['content-length', String(lastFailure.body.length), 'x-qcc-attempts', String(attempts)]));
        res.end(lastFailure.body);
      } else {
        sendAnthropicError(res, 502, `QCC: every upstream failed (${attempts} attempts); last error: ${this.lastDetail ?? 'unknown'}`, ['x-qcc-attempts', String(attempts)]);
      }
    }
    this.finish();
  }
}

const EMPTY = Buffer.alloc(0);

const STREAM_KEY = Buffer.from('"stream"');

/**
 * Whether a Messages request body asks for `"stream": true`, without parsing
 * or decoding it (Claude Code's bodies run to tens of kilobytes): find the
 * key's bytes, then look at what follows the colon.
 */
export function asksForStream(body: Buffer): boolean {
  for (let at = body.indexOf(STREAM_KEY); at !== -1; at = body.indexOf(STREAM_KEY, at + 1)) {
    let i = at + STREAM_KEY.length;
    while (i < body.length && (body[i] === 0x20 || body[i] === 0x09 || body[i] === 0x0a || body[i] === 0x0d)) i++;
    if (body[i] !== 0x3a) continue; // not a key: "stream" inside some text
    i++;
    while (i < body.length && (body[i] === 0x20 || body[i] === 0x09 || body[i] === 0x0a || body[i] === 0x0d)) i++;
    if (body.toString('latin1', i, i + 4) === 'true') return true;
  }
  return false;
}
