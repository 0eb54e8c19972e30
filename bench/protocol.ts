/**
 * The messages between the benchmark's orchestrator and its child processes,
 * and the small IPC helpers both sides use. Every child announces itself with
 * one `ready` message, then answers numbered commands.
 */
import { fork, type ChildProcess } from 'node:child_process';

/** The local token every client sends as `x-api-key`; the fake upstream checks no key. */
export const BENCH_TOKEN = 'qcc-bench-proxy-token-0123456789abcdef';

/** Text deltas per streamed reply and the fake's pause between SSE events. */
export const STREAM_DELTAS = 20;
export const CHUNK_DELAY_MS = 10;
/** message_start + content_block_start + ping + deltas + content_block_stop + message_delta + message_stop. */
export const EVENTS_PER_STREAM = STREAM_DELTAS + 6;

/** A small Messages API request, the kind Claude Code sends for a title or a quota check. */
export function messageBody(stream: boolean): string {
  return JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 64, stream, messages: [{ role: 'user', content: 'Say hi' }] });
}

export interface Ready {
  type: 'ready';
  url: string;
}

export type LoadCommand =
  /** `requests` small non-streaming requests, one at a time. */
  | { op: 'latency'; url: string; requests: number }
  /** As many small non-streaming requests as `concurrency` workers finish in `durationMs`. */
  | { op: 'throughput'; url: string; concurrency: number; durationMs: number }
  /** `streams` paced streams, `concurrency` at a time; timestamps every SSE event. */
  | { op: 'streams'; url: string; streams: number; concurrency: number }
  /** Keeps `concurrency` paced streams open back to back for `durationMs`. */
  | { op: 'hold-streams'; url: string; concurrency: number; durationMs: number };

export interface LatencyResult {
  /** Request start to last body byte, ms. */
  samples: number[];
  errors: number;
}

export interface ThroughputResult {
  completed: number;
  errors: number;
  elapsedMs: number;
}

export interface StreamsResult {
  /** Request start to the first body byte, ms. */
  ttfb: number[];
  /** Time between consecutive SSE events arriving, ms (nominally CHUNK_DELAY_MS). */
  gaps: number[];
  errors: number;
}

export interface HoldResult {
  completed: number;
  errors: number;
}

export interface LoadResults {
  latency: LatencyResult;
  throughput: ThroughputResult;
  streams: StreamsResult;
  'hold-streams': HoldResult;
}

export type StopCommand = { op: 'stop' };

type Envelope<C> = C & { id: number };
type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

/** A child process running one role, reachable over IPC. */
export class BenchChild {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    readonly process: ChildProcess,
    readonly url: string,
  ) {
    this.exited = new Promise((resolve) => process.once('exit', (code) => resolve(code)));
    process.on('message', (message: Reply) => {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(`${name}: ${message.error}`));
    });
    void this.exited.then((code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`${name} exited (code ${code}) with a command pending`));
      this.pending.clear();
    });
  }

  /** Forks `node [execArgv] file [args]` and waits for its `ready` message. */
  static async start(name: string, file: string, args: string[] = [], execArgv: string[] = []): Promise<BenchChild> {
    const child = fork(file, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const ready = await new Promise<Ready>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`${name} exited (code ${code}) before it was ready`));
      child.once('exit', onExit);
      child.once('error', reject);
      child.once('message', (message: Ready) => {
        child.off('exit', onExit);
        resolve(message);
      });
    });
    return new BenchChild(name, child, ready.url);
  }

  get alive(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  get pid(): number {
    return this.process.pid as number;
  }

  /** Sends one load command and resolves with its result. */
  run<C extends LoadCommand>(command: C): Promise<LoadResults[C['op']]> {
    return this.send(command) as Promise<LoadResults[C['op']]>;
  }

  /** Asks the child to close its servers and exit on its own (so `--cpu-prof` can write); kills it after `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    this.send({ op: 'stop' }).catch(() => undefined);
    await this.exited;
    clearTimeout(timer);
  }

  /** Ends the child now; for cleanup after a failure. */
  kill(): void {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
  }

  private send(command: LoadCommand | StopCommand): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const envelope: Envelope<LoadCommand | StopCommand> = { ...command, id };
      this.process.send(envelope, (error) => {
        if (error && this.pending.delete(id)) reject(error);
      });
    });
  }
}

/** Child side: announce the URL this process serves (or empty for the load generator). */
export function announceReady(url: string): void {
  const ready: Ready = { type: 'ready', url };
  process.send?.(ready);
}

/**
 * Child side: answer commands from the orchestrator. `stop` runs `onStop`,
 * then exits normally so that `--cpu-prof` writes its profile.
 */
export function serveCommands(handle: (command: LoadCommand) => Promise<unknown>, onStop: () => Promise<void>): void {
  process.on('message', (message: Envelope<LoadCommand | StopCommand>) => {
    const reply = (response: Reply) => process.send?.(response);
    if (message.op === 'stop') {
      onStop()
        .catch(() => undefined)
        .finally(() => process.exit(0));
      return;
    }
    handle(message).then(
      (result) => reply({ id: message.id, ok: true, result }),
      (error: unknown) => reply({ id: message.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
  // The orchestrator going away must not leave servers running.
  process.on('disconnect', () => process.exit(0));
}
