import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MalformedResponseError } from './response-head.js';
import { InvalidRequestError, UpstreamClient, UpstreamError, UpstreamRequest, type UpstreamClientOptions, type UpstreamHandler } from './upstream-client.js';

// The upstream client against real loopback servers: scripted `net` servers that read exact request
// bytes and answer with exact response bytes (so framing is ours to break), and node:http(s) servers.
// Timeouts are real and short; the idle sweep runs on the client's own 500 ms interval.

vi.setConfig({ testTimeout: 5_000 });

const CERT = readFileSync(new URL('../testing/localhost-cert.pem', import.meta.url));
const KEY = readFileSync(new URL('../testing/localhost-key.pem', import.meta.url));

/** Undone after each test, last first. */
const cleanups: Array<() => unknown> = [];
const recorders: Recorder[] = [];
afterEach(async () => {
  await settle();
  const violations = recorders.splice(0).flatMap((recorder) => recorder.violations);
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  expect(violations).toEqual([]);
});

/**
 * Lets bytes already written on loopback be read and socket events run: a few turns of the event
 * loop (each passes the poll phase), not a timed wait. Used to check that something did NOT happen.
 */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Wakes whoever waits for the next change. */
class Signal {
  private waiters: Array<() => void> = [];

  notify(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  next(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

interface ReceivedRequest {
  /** The request line. */
  line: string;
  /** Names and values as sent. */
  headers: Array<[string, string]>;
  body: Buffer;
  /** Exactly the bytes this request took on the wire. */
  raw: Buffer;
}

/** One server-side socket of a ScriptedServer: reads requests as bytes, writes responses as bytes. */
class ScriptedConnection {
  /** Resolves once the socket is closed. */
  readonly closed: Promise<void>;
  isClosed = false;
  private readonly arrived: Buffer[] = [];
  private readOffset = 0;
  private readonly changed = new Signal();

  constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => {
      this.arrived.push(data);
      this.changed.notify();
    });
    socket.on('error', () => undefined); // a reset shows as 'close'
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.isClosed = true;
        this.changed.notify();
        resolve();
      });
    });
  }

  /** Every byte received on this connection. */
  get received(): Buffer {
    return Buffer.concat(this.arrived);
  }

  async readRequest(): Promise<ReceivedRequest> {
    const start = this.readOffset;
    let end: number;
    while ((end = this.received.indexOf('\r\n\r\n', start)) === -1) await this.more();
    const [line, ...headerLines] = this.received.toString('latin1', start, end).split('\r\n');
    const headers = headerLines.map((header): [string, string] => {
      const colon = header.indexOf(': ');
      return [header.slice(0, colon), header.slice(colon + 2)];
    });
    const length = Number(headers.find(([name]) => name.toLowerCase() === 'content-length')?.[1] ?? 0);
    const bodyStart = end + 4;
    while (this.received.length < bodyStart + length) await this.more();
    this.readOffset = bodyStart + length;
    const received = this.received;
    return { line: line as string, headers, body: received.subarray(bodyStart, this.readOffset), raw: received.subarray(start, this.readOffset) };
  }

  write(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Writes each piece as its own segment: handed to the kernel, then read by the client, before the next. */
  async writeApart(...pieces: Array<string | Buffer>): Promise<void> {
    for (const piece of pieces) {
      await new Promise<void>((resolve, reject) => this.socket.write(typeof piece === 'string' ? Buffer.from(piece, 'latin1') : piece, (error) => (error ? reject(error) : resolve())));
      await settle();
    }
  }

  end(data?: string): void {
    if (data === undefined) this.socket.end();
    else this.socket.end(Buffer.from(data, 'latin1'));
  }

  private async more(): Promise<void> {
    if (this.isClosed) throw new Error(`the connection closed; received ${this.received.length} bytes: ${JSON.stringify(this.received.toString('latin1', 0, 200))}…`);
    await this.changed.next();
  }
}

/** A raw TCP server whose connections the test drives byte by byte. */
class ScriptedServer {
  readonly connections: ScriptedConnection[] = [];
  private taken = 0;
  private readonly arrived = new Signal();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {
    server.on('connection', (socket: Socket) => {
      this.connections.push(new ScriptedConnection(socket));
      this.arrived.notify();
    });
  }

  static async start(): Promise<ScriptedServer> {
    const server = createServer();
    const port = await listen(server);
    const scripted = new ScriptedServer(server, port);
    cleanups.push(() => scripted.close());
    return scripted;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The next connection the server accepted that the test has not taken yet. */
  async nextConnection(): Promise<ScriptedConnection> {
    while (this.connections.length <= this.taken) await this.arrived.next();
    return this.connections[this.taken++] as ScriptedConnection;
  }

  /** Takes the next connection and reads its first request. */
  async accept(): Promise<[ScriptedConnection, ReceivedRequest]> {
    const connection = await this.nextConnection();
    return [connection, await connection.readRequest()];
  }

  private async close(): Promise<void> {
    for (const connection of this.connections) connection.socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** A node:http (or https, with the test certificate) server; closed after the test. */
async function startHttpServer(handler: RequestListener, secure = false): Promise<{ origin: string }> {
  const server = secure ? createHttpsServer({ cert: CERT, key: KEY }, handler) : createHttpServer(handler);
  const port = await listen(server);
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { origin: `${secure ? 'https' : 'http'}://127.0.0.1:${port}` };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// A worker that listens and then blocks its own event loop: nothing is ever accepted.
const UNACCEPTING_LISTENER = `
const { parentPort, workerData } = require('node:worker_threads');
const server = require('node:net').createServer();
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  parentPort.postMessage(server.address().port);
  Atomics.wait(new Int32Array(workerData), 0, 0);
});`;

/** A listening port whose accept queue is full: the kernel drops new SYNs, so a connect hangs. */
async function unacceptingPort(): Promise<number> {
  const release = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(UNACCEPTING_LISTENER, { eval: true, workerData: release.buffer });
  cleanups.push(async () => {
    Atomics.store(release, 0, 1);
    Atomics.notify(release, 0);
    await worker.terminate();
  });
  const [port] = (await once(worker, 'message')) as [number];
  for (let i = 0; i < 16; i++) {
    const filler = connect(port, '127.0.0.1');
    filler.on('error', () => undefined);
    cleanups.push(() => filler.destroy());
    const connected = await Promise.race([once(filler, 'connect').then(() => true), sleep(100).then(() => false)]);
    if (!connected) return port;
  }
  throw new Error('the accept queue never filled');
}

function newClient(options: Partial<UpstreamClientOptions> = {}): UpstreamClient {
  const client = new UpstreamClient({ connectTimeoutMs: 2_000, ...options });
  cleanups.push(() => client.close());
  return client;
}

interface RequestSpec {
  method?: string;
  path?: string;
  headers?: string[];
  body?: Buffer | string | null;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
}

function request(spec: RequestSpec = {}): UpstreamRequest {
  const body = typeof spec.body === 'string' ? Buffer.from(spec.body, 'latin1') : (spec.body ?? null);
  return new UpstreamRequest(spec.method ?? 'GET', spec.path ?? '/', spec.headers ?? [], body, spec.headersTimeoutMs ?? 2_000, spec.bodyTimeoutMs ?? 2_000);
}

interface Hooks {
  onStart?: (recorder: Recorder) => void;
  /** Returns what onHeaders returns (true when omitted). */
  onHeaders?: (recorder: Recorder) => boolean | void;
  /** Returns what onData returns (true when omitted). */
  onData?: (recorder: Recorder, chunk: Buffer) => boolean | void;
}

/**
 * A handler that records every callback in order, and any breach of the contract: a callback after
 * onComplete/onError or after the test aborted, a second onStart/onHeaders, onData while the body is held.
 */
class Recorder implements UpstreamHandler {
  /** `start`, `headers <status>`, `data`, `complete`, `error <code>`. */
  readonly steps: string[] = [];
  readonly chunks: Buffer[] = [];
  readonly violations: string[] = [];
  status = 0;
  headers: string[] = [];
  error: Error | null = null;
  /** Resolves on onComplete or onError. */
  readonly done: Promise<void>;
  private finish!: () => void;
  private ended = false;
  private aborted = false;
  private holding = false;
  private abortUpstream: (() => void) | null = null;
  private resumeUpstream: (() => void) | null = null;

  constructor(private readonly hooks: Hooks = {}) {
    this.done = new Promise((resolve) => {
      this.finish = resolve;
    });
    recorders.push(this);
  }

  /** The steps with each run of `data` as one. */
  get outline(): string[] {
    return this.steps.filter((step, i) => step !== 'data' || this.steps[i - 1] !== 'data');
  }

  get body(): Buffer {
    return Buffer.concat(this.chunks);
  }

  get errorCode(): string | undefined {
    return (this.error as { code?: string } | null)?.code;
  }

  abort(): void {
    this.aborted = true;
    (this.abortUpstream as () => void)();
  }

  resume(): void {
    this.holding = false;
    (this.resumeUpstream as () => void)();
  }

  onStart(abort: () => void): void {
    this.step('start');
    this.abortUpstream = abort;
    this.hooks.onStart?.(this);
  }

  onHeaders(status: number, headers: string[], resume: () => void): boolean {
    this.step(`headers ${status}`);
    this.status = status;
    this.headers = headers;
    this.resumeUpstream = resume;
    const go = this.hooks.onHeaders?.(this) !== false;
    this.holding = !go;
    return go;
  }

  onData(chunk: Buffer): boolean {
    if (chunk.length === 0) this.violations.push('an empty chunk');
    if (this.holding) this.violations.push(`data while held: ${JSON.stringify(chunk.toString('latin1', 0, 20))}`);
    this.step('data');
    this.chunks.push(chunk);
    const go = this.hooks.onData?.(this, chunk) !== false;
    this.holding = !go;
    return go;
  }

  onComplete(): void {
    this.step('complete');
    this.ended = true;
    this.finish();
  }

  onError(error: Error): void {
    this.step(`error ${(error as { code?: string }).code ?? error.name}`);
    this.error = error;
    this.ended = true;
    this.finish();
  }

  private step(step: string): void {
    if (this.ended) this.violations.push(`${step} after the end`);
    if (this.aborted) this.violations.push(`${step} after abort`);
    if ((step === 'start' || step.startsWith('headers')) && this.steps.some((seen) => seen.split(' ')[0] === step.split(' ')[0])) this.violations.push(`a second ${step}`);
    this.steps.push(step);
  }
}

/** Sends `spec` and returns its recorder once it has finished. */
async function fetchVia(client: UpstreamClient, origin: string, spec: RequestSpec = {}, hooks: Hooks = {}): Promise<Recorder> {
  const recorder = new Recorder(hooks);
  client.dispatch(origin, request(spec), recorder);
  await recorder.done;
  return recorder;
}

const OK_HELLO = 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 5\r\n\r\nhello';

describe('UpstreamClient: what the upstream receives', () => {
  it('sends a GET as the request line, host from the origin, then the headers in order and case, with no length and no body', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder();
    client.dispatch(server.origin, request({ path: '/v1/models?limit=2&x=%20', headers: ['X-Api-Key', 'sk-1', 'anthropic-beta', 'a', 'Anthropic-Beta', 'b', 'x-empty', ''] }), recorder);
    const [connection, received] = await server.accept();
    connection.write(OK_HELLO);
    await recorder.done;
    await settle();
    expect(connection.received.toString('latin1')).toBe(
      `GET /v1/models?limit=2&x=%20 HTTP/1.1\r\nhost: 127.0.0.1:${server.port}\r\nX-Api-Key: sk-1\r\nanthropic-beta: a\r\nAnthropic-Beta: b\r\nx-empty: \r\n\r\n`,
    );
    expect(received.body.length).toBe(0);
    expect(recorder.outline).toEqual(['start', 'headers 200', 'data', 'complete']);
  });

  it('sends a small body byte for byte after its content-length, every byte value included', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const body = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const recorder = new Recorder();
    client.dispatch(server.origin, request({ method: 'POST', path: '/v1/messages', headers: ['content-type', 'application/octet-stream'], body }), recorder);
    const [connection, received] = await server.accept();
    expect(received.raw).toEqual(Buffer.concat([Buffer.from(`POST /v1/messages HTTP/1.1\r\nhost: 127.0.0.1:${server.port}\r\ncontent-type: application/octet-stream\r\ncontent-length: 256\r\n\r\n`), body]));
    connection.write(OK_HELLO);
    await recorder.done;
    await settle();
    expect(connection.received).toEqual(received.raw);
  });

  it('sends content-length: 0 for POST, PUT and PATCH without a body, and no length for other bodiless methods', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const cases: Array<[string, Buffer | null, string]> = [
      ['POST', null, 'content-length: 0\r\n'],
      ['PUT', null, 'content-length: 0\r\n'],
      ['PATCH', Buffer.alloc(0), 'content-length: 0\r\n'],
      ['DELETE', null, ''],
      ['GET', Buffer.alloc(0), ''],
      ['OPTIONS', null, ''],
    ];
    for (const [method, body, length] of cases) {
      const recorder = new Recorder();
      client.dispatch(server.origin, request({ method, path: '/x', body }), recorder);
      const connection = server.connections[0] ?? (await server.nextConnection());
      const received = await connection.readRequest();
      expect(received.raw.toString('latin1')).toBe(`${method} /x HTTP/1.1\r\nhost: 127.0.0.1:${server.port}\r\n${length}\r\n`);
      connection.write('HTTP/1.1 204 No Content\r\n\r\n');
      await recorder.done;
    }
    expect(server.connections).toHaveLength(1);
  });

  it('sends a body with any method that has one, GET included', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder();
    client.dispatch(server.origin, request({ method: 'GET', body: 'abc' }), recorder);
    const [connection, received] = await server.accept();
    expect(received.raw.toString('latin1')).toBe(`GET / HTTP/1.1\r\nhost: 127.0.0.1:${server.port}\r\ncontent-length: 3\r\n\r\nabc`);
    connection.write(OK_HELLO);
    await recorder.done;
  });

  it('sends bodies around and beyond 64 KiB byte-exact, on a new connection and on a reused one', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    let sent = 0;
    for (const size of [64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 300 * 1024 + 7]) {
      const body = randomBytes(size);
      const recorder = new Recorder();
      client.dispatch(server.origin, request({ method: 'POST', path: `/size/${size}`, headers: ['x-size', String(size)], body }), recorder);
      const connection = server.connections[0] ?? (await server.nextConnection());
      const received = await connection.readRequest();
      expect(received.raw.subarray(0, received.raw.length - size).toString('latin1')).toBe(`POST /size/${size} HTTP/1.1\r\nhost: 127.0.0.1:${server.port}\r\nx-size: ${size}\r\ncontent-length: ${size}\r\n\r\n`);
      expect(received.body.equals(body)).toBe(true);
      sent += received.raw.length;
      connection.write(OK_HELLO);
      await recorder.done;
    }
    await settle();
    expect(server.connections).toHaveLength(1);
    expect(server.connections[0]?.received.length).toBe(sent);
  });

  it('is read correctly by node:http: method, target, raw headers and body', async () => {
    const seen: Array<{ method?: string; url?: string; rawHeaders: string[]; body: string }> = [];
    const { origin } = await startHttpServer(async (req, res) => {
      seen.push({ method: req.method, url: req.url, rawHeaders: req.rawHeaders, body: (await readBody(req)).toString() });
      res.end('ok');
    });
    const client = newClient();
    const recorder = await fetchVia(client, origin, { method: 'POST', path: '/v1/messages?beta=true', headers: ['Content-Type', 'application/json', 'x-api-key', 'k'], body: '{"model":"m"}' });
    expect(recorder.body.toString()).toBe('ok');
    expect(seen).toEqual([
      {
        method: 'POST',
        url: '/v1/messages?beta=true',
        rawHeaders: ['host', origin.slice('http://'.length), 'Content-Type', 'application/json', 'x-api-key', 'k', 'content-length', '13'],
        body: '{"model":"m"}',
      },
    ]);
  });
});

describe('UpstreamClient: response framing', () => {
  it('delivers a content-length response: status, lower-cased headers in order, body, then completion', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder();
    client.dispatch(server.origin, request(), recorder);
    const [connection] = await server.accept();
    connection.write('HTTP/1.1 201 Created\r\nX-Request-Id: r1\r\nSet-Cookie: a\r\nContent-Length: 5\r\nset-cookie: b\r\n\r\nhello');
    await recorder.done;
    expect(recorder.outline).toEqual(['start', 'headers 201', 'data', 'complete']);
    expect(recorder.headers).toEqual(['x-request-id', 'r1', 'set-cookie', 'a', 'content-length', '5', 'set-cookie', 'b']);
    expect(recorder.body.toString()).toBe('hello');
  });

  it('delivers a content-length body that arrives in several segments, in order, ending at its length', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder();
    client.dispatch(server.origin, request(), recorder);
    const [connection] = await server.accept();
    await connection.writeApart('HTTP/1.1 200 OK\r\ncontent-length: 12\r\n\r\nab', 'cdef', 'g', 'hijkl');
    await recorder.done;
    expect(recorder.steps.filter((step) => step === 'data').length).toBeGreaterThanOrEqual(4);
    expect(recorder.body.toString()).toBe('abcdefghijkl');
    expect(recorder.outline).toEqual(['start', 'headers 200', 'data', 'complete']);
  });

  it('completes an empty content-length body without any data', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder();
    client.dispatch(server.origin, request(), recorder);
    const [connection] = await server.accept();
    connection.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
    await recorder.done;
    expect(recorder.steps).toEqual(['start', 'headers 200', 'complete']);
  });

  it('decodes a chunked body written one byte per segment: splits inside size lines, extensions, data, CRLFs and trailers', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder();
    client.dispatch(server.origin, request(), recorder);
    const [connection] = await server.accept();
    await connection.writeApart('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
    const body = '5\r\nhello\r\n1A;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n1\r\n\r\r\n0\r\nx-trailer: t\r\n\r\n';
    await connection.writeApart(...body.split(''));
    await recorder.done;
    expect(recorder.outline).toEqual(['start', 'headers 200', 'data', 'complete']);
    expect(recorder.body.toString('latin1')).toBe('helloabcdefghijklmnopqrstuvwxyz\r');
  });

  it('decodes a chunked body that arrives in one segment with its head', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder();
    client.dispatch(server.origin, request(), recorder);
    const [connection] = await server.accept();
    connection.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-length: 99\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n');
    await recorder.done;
    expect(recorder.body.toString()).toBe('abcdef');
    expect(recorder.steps).toEqual(['start', 'headers 200', 'data', 'data', 'complete']);
  });

  it('reads a body without length or chunking until the upstream closes, and does not keep that connection', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder();
    client.dispatch(server.origin, request(), recorder);
    const [connection] = await server.accept();
    await connection.writeApart('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nfirst ', 'second ');
    expect(recorder.steps).not.toContain('complete');
    connection.end('last');
    await recorder.done;
    expect(recorder.outline).toEqual(['start', 'headers 200', 'data', 'complete']);
    expect(recorder.body.toString()).toBe('first second last');
    expect(client.connectionCount).toBe(0);
  });

  it.each([
    ['in one segment', (heads: string[]) => [heads.join('')]],
    ['in separate segments', (heads: string[]) => heads],
  ])('skips 100 and 103 interim heads %s and reports only the final head', async (_case, split) => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder();
    client.dispatch(server.origin, request({ method: 'POST', body: 'x' }), recorder);
    const [connection] = await server.accept();
    await connection.writeApart(...split(['HTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n', 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok']));
    await recorder.done;
    expect(recorder.outline).toEqual(['start', 'headers 200', 'data', 'complete']);
    expect(recorder.headers).toEqual(['content-length', '2']);
    expect(recorder.body.toString()).toBe('ok');
  });

  it('takes no body after a HEAD response whatever its length says, and the next response on the connection reads cleanly', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const head = new Recorder();
    client.dispatch(server.origin, request({ method: 'HEAD' }), head);
    const [connection] = await server.accept();
    connection.write('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n');
    await head.done;
    expect(head.steps).toEqual(['start', 'headers 200', 'complete']);
    const get = new Recorder();
    client.dispatch(server.origin, request(), get);
    await connection.readRequest();
    connection.write(OK_HELLO);
    await get.done;
    expect(get.body.toString()).toBe('hello');
    expect(server.connections).toHaveLength(1);
  });

  it.each([
    ['204 No Content', ''],
    ['304 Not Modified', 'content-length: 10\r\n'],
  ])('takes no body after %s and keeps the connection', async (statusLine, headers) => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const empty = new Recorder();
    client.dispatch(server.origin, request(), empty);
    const [connection] = await server.accept();
    connection.write(`HTTP/1.1 ${statusLine}\r\n${headers}\r\n`);
    await empty.done;
    expect(empty.steps).toEqual(['start', `headers ${statusLine.slice(0, 3)}`, 'complete']);
    const next = new Recorder();
    client.dispatch(server.origin, request(), next);
    await connection.readRequest();
    connection.write(OK_HELLO);
    await next.done;
    expect(next.body.toString()).toBe('hello');
    expect(server.connections).toHaveLength(1);
  });

  it('reads a response head that arrives one byte per segment, the blank line included', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder();
    client.dispatch(server.origin, request(), recorder);
    const [connection] = await server.accept();
    await connection.writeApart(...'HTTP/1.1 200 OK\r\nx-a: 1\r\ncontent-length: 3\r\n\r\n'.split(''));
    expect(recorder.outline).toEqual(['start', 'headers 200']);
    await connection.writeApart('abc');
    await recorder.done;
    expect(recorder.headers).toEqual(['x-a', '1', 'content-length', '3']);
    expect(recorder.body.toString()).toBe('abc');
  });

  it('accepts a response head just under 64 KiB', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder();
    client.dispatch(server.origin, request(), recorder);
    const [connection] = await server.accept();
    const big = 'v'.repeat(60 * 1024);
    connection.write(`HTTP/1.1 200 OK\r\nx-big: ${big}\r\ncontent-length: 2\r\n\r\nok`);
    await recorder.done;
    expect(recorder.headers).toEqual(['x-big', big, 'content-length', '2']);
    expect(recorder.body.toString()).toBe('ok');
  });

  it('reads node:http responses: chunked in many writes, and content-length, over one kept connection', async () => {
    const sockets = new Set<Socket>();
    const { origin } = await startHttpServer((req, res) => {
      sockets.add(req.socket);
      if (req.url === '/chunked') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (let i = 0; i < 50; i++) res.write(`event ${i}\n`);
        res.end();
      } else res.end('plain');
    });
    const client = newClient();
    const chunked = await fetchVia(client, origin, { path: '/chunked' });
    expect(chunked.headers).toContain('transfer-encoding');
    expect(chunked.body.toString()).toBe(Array.from({ length: 50 }, (_, i) => `event ${i}\n`).join(''));
    const plain = await fetchVia(client, origin, { path: '/plain' });
    expect(plain.headers.slice(plain.headers.indexOf('content-length'), plain.headers.indexOf('content-length') + 2)).toEqual(['content-length', '5']);
    expect(plain.body.toString()).toBe('plain');
    expect(sockets.size).toBe(1);
    expect(client.connectionCount).toBe(1);
  });
});

describe('UpstreamClient: keep-alive', () => {
  it('sends the next request on the same connection once a response is complete', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const first = new Recorder();
    client.dispatch(server.origin, request({ path: '/1' }), first);
    const [connection, one] = await server.accept();
    expect(client.connectionCount).toBe(1);
    connection.write(OK_HELLO);
    await first.done;
    const second = new Recorder();
    client.dispatch(server.origin, request({ path: '/2' }), second);
    const two = await connection.readRequest();
    connection.write('HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nbye');
    await second.done;
    expect([one.line, two.line]).toEqual(['GET /1 HTTP/1.1', 'GET /2 HTTP/1.1']);
    expect(second.body.toString()).toBe('bye');
    expect(server.connections).toHaveLength(1);
    expect(client.connectionCount).toBe(1);
  });

  it('reuses the most recently released connection first', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const a = new Recorder();
    const b = new Recorder();
    client.dispatch(server.origin, request({ path: '/a' }), a);
    client.dispatch(server.origin, request({ path: '/b' }), b);
    const [first] = await server.accept();
    const [second] = await server.accept();
    expect(client.connectionCount).toBe(2);
    first.write(OK_HELLO);
    await Promise.race([a.done, b.done]);
    second.write(OK_HELLO);
    await Promise.all([a.done, b.done]);
    const c = new Recorder();
    client.dispatch(server.origin, request({ path: '/c' }), c);
    const third = await second.readRequest();
    expect(third.line).toBe('GET /c HTTP/1.1');
    second.write(OK_HELLO);
    await c.done;
    expect(first.received.toString('latin1')).not.toContain('/c');
  });

  it.each([
    ['connection: close on HTTP/1.1', 'HTTP/1.1 200 OK\r\nConnection: close\r\ncontent-length: 5\r\n\r\nhello'],
    ['HTTP/1.0 without keep-alive', 'HTTP/1.0 200 OK\r\ncontent-length: 5\r\n\r\nhello'],
  ])('closes the connection after a response with %s and opens a new one for the next request', async (_case, response) => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const first = new Recorder();
    client.dispatch(server.origin, request(), first);
    const [connection] = await server.accept();
    connection.write(response);
    await first.done;
    expect(first.outline).toEqual(['start', 'headers 200', 'data', 'complete']);
    await connection.closed;
    expect(client.connectionCount).toBe(0);
    const second = new Recorder();
    client.dispatch(server.origin, request(), second);
    const [fresh] = await server.accept();
    fresh.write(OK_HELLO);
    await second.done;
    expect(second.body.toString()).toBe('hello');
  });

  it('keeps an HTTP/1.0 connection that says keep-alive', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const first = new Recorder();
    client.dispatch(server.origin, request(), first);
    const [connection] = await server.accept();
    connection.write('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\ncontent-length: 5\r\n\r\nhello');
    await first.done;
    const second = new Recorder();
    client.dispatch(server.origin, request(), second);
    await connection.readRequest();
    connection.write(OK_HELLO);
    await second.done;
    expect(server.connections).toHaveLength(1);
  });

  it.each([
    ['a content-length body', 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello'],
    ['a chunked body', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'],
    ['no body', 'HTTP/1.1 204 No Content\r\n\r\n'],
  ])('completes %s followed by stray bytes in the same segment, then drops the connection as out of step', async (_case, response) => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const first = new Recorder();
    client.dispatch(server.origin, request(), first);
    const [connection] = await server.accept();
    connection.write(`${response}HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nstray!`);
    await first.done;
    expect(first.steps.at(-1)).toBe('complete');
    expect(first.body.toString()).toBe(response.includes('hello') ? 'hello' : '');
    await connection.closed;
    expect(client.connectionCount).toBe(0);
    const second = new Recorder();
    client.dispatch(server.origin, request(), second);
    const [fresh] = await server.accept();
    fresh.write('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nfresh');
    await second.done;
    expect(second.body.toString()).toBe('fresh');
  });

  it('drops an idle connection on which the upstream sends bytes nobody asked for', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    await Promise.all([fetchVia(client, server.origin), server.accept().then(([connection]) => connection.write(OK_HELLO))]);
    const connection = server.connections[0] as ScriptedConnection;
    expect(client.connectionCount).toBe(1);
    connection.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
    await connection.closed;
    expect(client.connectionCount).toBe(0);
    const next = new Recorder();
    client.dispatch(server.origin, request(), next);
    const [fresh] = await server.accept();
    fresh.write(OK_HELLO);
    await next.done;
    expect(next.steps.at(-1)).toBe('complete');
  });

  it('forgets an idle connection the upstream closed, and the next request opens a new one without error', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    await Promise.all([fetchVia(client, server.origin), server.accept().then(([connection]) => connection.write(OK_HELLO))]);
    (server.connections[0] as ScriptedConnection).end();
    await vi.waitFor(() => expect(client.connectionCount).toBe(0), { interval: 5 });
    const next = new Recorder();
    client.dispatch(server.origin, request(), next);
    const [fresh] = await server.accept();
    fresh.write(OK_HELLO);
    await next.done;
    expect(next.outline).toEqual(['start', 'headers 200', 'data', 'complete']);
  });

  it("closes an idle connection before the upstream's Keep-Alive timeout runs out, and the next request opens a new one", async () => {
    const hinted = await ScriptedServer.start();
    const plain = await ScriptedServer.start();
    const client = newClient();
    await Promise.all([fetchVia(client, plain.origin), plain.accept().then(([connection]) => connection.write(OK_HELLO))]);
    await Promise.all([fetchVia(client, hinted.origin), hinted.accept().then(([connection]) => connection.write('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1\r\ncontent-length: 5\r\n\r\nhello'))]);
    const idleFrom = performance.now();
    const connection = hinted.connections[0] as ScriptedConnection;
    await connection.closed;
    // The upstream would close at 1 s; the client, asked to keep a 1 s margin, closes at its next sweep.
    expect(performance.now() - idleFrom).toBeLessThan(900);
    expect(plain.connections[0]?.isClosed).toBe(false);
    expect(client.connectionCount).toBe(1);
    const next = new Recorder();
    client.dispatch(hinted.origin, request(), next);
    const [fresh] = await hinted.accept();
    fresh.write(OK_HELLO);
    await next.done;
    expect(next.outline).toEqual(['start', 'headers 200', 'data', 'complete']);
  });

  it('closes a connection idle past its own idleTimeoutMs', async () => {
    const server = await ScriptedServer.start();
    const client = newClient({ idleTimeoutMs: 100 });
    await Promise.all([fetchVia(client, server.origin), server.accept().then(([connection]) => connection.write(OK_HELLO))]);
    const connection = server.connections[0] as ScriptedConnection;
    await sleep(50);
    expect(connection.isClosed).toBe(false);
    await connection.closed;
    expect(client.connectionCount).toBe(0);
  });
});

describe('UpstreamClient: failures', () => {
  it('reports a refused connection as ECONNREFUSED and keeps no connection', async () => {
    const client = newClient();
    const recorder = await fetchVia(client, `http://127.0.0.1:${await closedPort()}`);
    expect(recorder.steps).toEqual(['start', 'error ECONNREFUSED']);
    expect(client.connectionCount).toBe(0);
  });

  it('gives up on a TCP connect that does not complete in connectTimeoutMs', async () => {
    const port = await unacceptingPort();
    const client = newClient({ connectTimeoutMs: 150 });
    const startedAt = performance.now();
    const recorder = await fetchVia(client, `http://127.0.0.1:${port}`);
    expect(recorder.steps).toEqual(['start', 'error QCC_CONNECT_TIMEOUT']);
    expect(recorder.error).toBeInstanceOf(UpstreamError);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(140);
    expect(client.connectionCount).toBe(0);
  });

  it('counts the TLS handshake in the connect timeout', async () => {
    const server = await ScriptedServer.start();
    const client = newClient({ connectTimeoutMs: 150, tls: { ca: CERT } });
    const recorder = new Recorder();
    client.dispatch(`https://127.0.0.1:${server.port}`, request(), recorder);
    const connection = await server.nextConnection();
    await recorder.done;
    expect(recorder.steps).toEqual(['start', 'error QCC_CONNECT_TIMEOUT']);
    expect(connection.received[0]).toBe(0x16); // a TLS handshake record: the client hello went out
    await connection.closed;
    expect(client.connectionCount).toBe(0);
  });

  it('times out an upstream that accepts the request and never answers, and closes its connection', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder();
    client.dispatch(server.origin, request({ headersTimeoutMs: 150 }), recorder);
    const [connection] = await server.accept();
    const sentAt = performance.now();
    await recorder.done;
    expect(recorder.steps).toEqual(['start', 'error QCC_HEADERS_TIMEOUT']);
    expect(performance.now() - sentAt).toBeGreaterThanOrEqual(130);
    await connection.closed;
    expect(client.connectionCount).toBe(0);
  });

  it('keeps the headers timeout running through interim heads and a partial final head', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder();
    client.dispatch(server.origin, request({ headersTimeoutMs: 200 }), recorder);
    const [connection] = await server.accept();
    await connection.writeApart('HTTP/1.1 100 Continue\r\n\r\n');
    await sleep(100);
    await connection.writeApart('HTTP/1.1 200 OK\r\ncontent-le');
    await recorder.done;
    expect(recorder.steps).toEqual(['start', 'error QCC_HEADERS_TIMEOUT']);
  });

  it('times out a body that stalls after its head and part of its bytes', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder();
    client.dispatch(server.origin, request({ bodyTimeoutMs: 150 }), recorder);
    const [connection] = await server.accept();
    await connection.writeApart('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc');
    const stalledAt = performance.now();
    await recorder.done;
    expect(recorder.outline).toEqual(['start', 'headers 200', 'data', 'error QCC_BODY_TIMEOUT']);
    expect(recorder.body.toString()).toBe('abc');
    expect(performance.now() - stalledAt).toBeGreaterThanOrEqual(130);
    await connection.closed;
    expect(client.connectionCount).toBe(0);
  });

  it('times the body by the silence between bytes, not by its whole length, and hands each phase its own timer', async () => {
    const server = await ScriptedServer.start();
    const client = newClient({ connectTimeoutMs: 100 });
    const recorder = new Recorder();
    client.dispatch(server.origin, request({ headersTimeoutMs: 250, bodyTimeoutMs: 250 }), recorder);
    const [connection] = await server.accept();
    await sleep(150); // past the connect timeout
    await connection.writeApart('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n');
    await sleep(150); // past the connect timeout, inside the body timeout
    for (const piece of ['1\r\na\r\n', '1\r\nb\r\n', '1\r\nc\r\n', '1\r\nd\r\n', '0\r\n\r\n']) {
      await connection.writeApart(piece);
      await sleep(80);
    }
    await recorder.done;
    expect(recorder.outline).toEqual(['start', 'headers 200', 'data', 'complete']);
    expect(recorder.body.toString()).toBe('abcd');
  });

  it.each([
    ['after reading the request', '', /before responding/],
    ['in the middle of the head', 'HTTP/1.1 200 OK\r\ncontent-le', /before responding/],
    ['in a content-length body', 'HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc', /mid-response/],
    ['inside a chunk', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhel', /mid-response/],
    ['between chunks, before the last one', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n', /mid-response/],
    ['before the trailer section ends', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n', /mid-response/],
  ])('reports the upstream closing %s as a lost connection, never as a complete response', async (_case, sent, message) => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder();
    client.dispatch(server.origin, request(), recorder);
    const [connection] = await server.accept();
    if (sent !== '') await connection.writeApart(sent);
    connection.end();
    await recorder.done;
    expect(recorder.steps.at(-1)).toBe('error QCC_CONNECTION_LOST');
    expect(recorder.steps).not.toContain('complete');
    expect(recorder.error?.message).toMatch(message);
    expect(recorder.steps[1]?.startsWith('headers')).toBe(message.source === 'mid-response');
    expect(client.connectionCount).toBe(0);
  });

  it('passes a reset in the middle of a body to onError', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder();
    client.dispatch(server.origin, request(), recorder);
    const [connection] = await server.accept();
    await connection.writeApart('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc');
    connection.socket.resetAndDestroy();
    await recorder.done;
    expect(recorder.outline).toEqual(['start', 'headers 200', 'data', 'error ECONNRESET']);
    expect(client.connectionCount).toBe(0);
  });

  it.each([
    ['a malformed status line', 'HTTP/1.1 OK\r\ncontent-length: 0\r\n\r\n', /malformed status line/],
    ['a status below 100', 'HTTP/1.1 000 Zero\r\ncontent-length: 0\r\n\r\n', /malformed status line/],
    ['an HTTP/2 status line', 'HTTP/2 200\r\n\r\n', /malformed status line/],
    ['a malformed header line', 'HTTP/1.1 200 OK\r\nbad header\r\n\r\n', /malformed header line/],
    ['conflicting content-lengths', 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nhello', /invalid content-length/],
    ['a transfer-encoding other than chunked', 'HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\n\r\n', /unsupported transfer-encoding/],
    ['101 Switching Protocols', 'HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\n', /switched protocols/],
  ])('refuses a response with %s and drops its connection', async (_case, response, message) => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder();
    client.dispatch(server.origin, request(), recorder);
    const [connection] = await server.accept();
    connection.write(response);
    await recorder.done;
    expect(recorder.steps).toEqual(['start', 'error QCC_MALFORMED_RESPONSE']);
    expect(recorder.error).toBeInstanceOf(MalformedResponseError);
    expect(recorder.error?.message).toMatch(message);
    await connection.closed;
    expect(client.connectionCount).toBe(0);
  });

  it.each([
    ['a chunk size that is not hex', 'zz\r\nabc\r\n0\r\n\r\n', ''],
    ['chunk data longer than its size', '3\r\nabcd\r\n0\r\n\r\n', 'abc'],
    ['a chunk size line ending in a bare LF', '3\nabc\r\n0\r\n\r\n', ''],
    ['a chunk size line over 4 KiB', `3;${'x'.repeat(5000)}\r\nabc\r\n0\r\n\r\n`, ''],
  ])('refuses a chunked body with %s', async (_case, body, delivered) => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder();
    client.dispatch(server.origin, request(), recorder);
    const [connection] = await server.accept();
    connection.write(`HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n${body}`);
    await recorder.done;
    expect(recorder.steps.at(-1)).toBe('error QCC_MALFORMED_RESPONSE');
    expect(recorder.error?.message).toMatch(/bad chunked framing/);
    expect(recorder.body.toString()).toBe(delivered);
    await connection.closed;
    expect(client.connectionCount).toBe(0);
  });

  it('refuses a response head that grows past 64 KiB without ending', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder();
    client.dispatch(server.origin, request(), recorder);
    const [connection] = await server.accept();
    connection.write(`HTTP/1.1 200 OK\r\nx-big: ${'v'.repeat(70 * 1024)}`);
    await recorder.done;
    expect(recorder.steps).toEqual(['start', 'error QCC_MALFORMED_RESPONSE']);
    expect(recorder.error?.message).toMatch(/too large/);
    await connection.closed;
  });

  it('refuses a response head over 64 KiB even when its end arrives with it', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder();
    client.dispatch(server.origin, request(), recorder);
    const [connection] = await server.accept();
    connection.write(`HTTP/1.1 200 OK\r\nx-big: ${'v'.repeat(100 * 1024)}\r\ncontent-length: 2\r\n\r\nok`);
    await recorder.done;
    expect(recorder.steps).toEqual(['start', 'error QCC_MALFORMED_RESPONSE']);
    expect(recorder.error?.message).toMatch(/too large/);
    await connection.closed;
  });

  it.each([
    ['a CR', 'a\rb'],
    ['an LF', 'a\nx-injected: 1'],
    ['a CRLF', 'a\r\nx-injected: 1'],
    ['a NUL', 'a\0b'],
  ])('refuses a header value with %s before touching any socket', async (_case, value) => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder();
    client.dispatch(server.origin, request({ headers: ['x-ok', 'fine', 'x-bad', value] }), recorder);
    expect(recorder.steps).toEqual(['start', 'error QCC_INVALID_REQUEST']);
    expect(recorder.error).toBeInstanceOf(InvalidRequestError);
    expect(recorder.error?.message).toContain('x-bad');
    await settle();
    expect(server.connections).toHaveLength(0);
    expect(client.connectionCount).toBe(0);
  });

  it('leaves an idle pooled connection untouched when it refuses a request', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    await Promise.all([fetchVia(client, server.origin), server.accept().then(([connection]) => connection.write(OK_HELLO))]);
    const connection = server.connections[0] as ScriptedConnection;
    const before = connection.received.length;
    const refused = new Recorder();
    client.dispatch(server.origin, request({ headers: ['x-bad', 'a\r\nb'] }), refused);
    expect(refused.steps).toEqual(['start', 'error QCC_INVALID_REQUEST']);
    await settle();
    expect(connection.received.length).toBe(before);
    const next = new Recorder();
    client.dispatch(server.origin, request({ path: '/next' }), next);
    expect((await connection.readRequest()).line).toBe('GET /next HTTP/1.1');
    connection.write(OK_HELLO);
    await next.done;
    expect(server.connections).toHaveLength(1);
  });

  it.each([
    ['an unsupported protocol', 'ftp://127.0.0.1:21', 'error QCC_INVALID_REQUEST'],
    ['an origin that is no URL', 'not a url', 'error ERR_INVALID_URL'],
  ])('reports %s through onError, not by throwing', (_case, origin, step) => {
    const client = newClient();
    const recorder = new Recorder();
    client.dispatch(origin, request(), recorder);
    expect(recorder.steps).toEqual(['start', step]);
    expect(client.connectionCount).toBe(0);
  });
});

describe('UpstreamClient: abort', () => {
  it('sends nothing when the handler aborts from onStart on a new connection', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder({ onStart: (self) => self.abort() });
    client.dispatch(server.origin, request({ method: 'POST', body: 'secret' }), recorder);
    expect(client.connectionCount).toBe(0);
    await sleep(50);
    expect(recorder.steps).toEqual(['start']);
    await vi.waitFor(() => expect(server.connections.every((connection) => connection.isClosed)).toBe(true), { interval: 5 });
    expect(server.connections.map((connection) => connection.received.length)).toEqual(server.connections.map(() => 0));
  });

  it('closes a pooled connection without writing to it when the handler aborts from onStart', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    await Promise.all([fetchVia(client, server.origin), server.accept().then(([connection]) => connection.write(OK_HELLO))]);
    const connection = server.connections[0] as ScriptedConnection;
    const before = connection.received.length;
    const recorder = new Recorder({ onStart: (self) => self.abort() });
    client.dispatch(server.origin, request({ path: '/aborted' }), recorder);
    await connection.closed;
    expect(connection.received.length).toBe(before);
    expect(recorder.steps).toEqual(['start']);
    expect(client.connectionCount).toBe(0);
  });

  it.each([
    ['with body bytes behind the head', 'HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc', 'headers 200'],
    ['of a response without a body', 'HTTP/1.1 204 No Content\r\n\r\n', 'headers 204'],
    ['of an empty content-length body', 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n', 'headers 200'],
  ])('drops the response when the handler aborts from onHeaders %s: no body, no completion, the upstream sees the close', async (_case, response, headers) => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder({ onHeaders: (self) => self.abort() });
    client.dispatch(server.origin, request(), recorder);
    const [connection] = await server.accept();
    connection.write(response);
    await connection.closed;
    await settle();
    expect(recorder.steps).toEqual(['start', headers]);
    expect(client.connectionCount).toBe(0);
  });

  it.each([
    ['with more chunks to come', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n'],
    ['on the last bytes of a content-length body', 'HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nabc'],
    ['on the last chunk, the end of the body behind it', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'],
  ])('drops the rest of the response when the handler aborts from onData %s', async (_case, response) => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder({ onData: (self) => self.abort() });
    client.dispatch(server.origin, request(), recorder);
    const [connection] = await server.accept();
    connection.write(response);
    await connection.closed;
    await settle();
    expect(recorder.steps).toEqual(['start', 'headers 200', 'data']);
    expect(recorder.body.toString()).toBe('abc');
    expect(client.connectionCount).toBe(0);
  });

  it("ignores a finished request's late abort and resume: the connection stays pooled and the next request on it is undisturbed", async () => {
    const server = await ScriptedServer.start();
    const client = newClient({ idleTimeoutMs: 60_000 });
    const first = new Recorder();
    client.dispatch(server.origin, request({ path: '/1' }), first);
    const [connection] = await server.accept();
    connection.write(OK_HELLO);
    await first.done;
    first.abort();
    first.resume();
    await settle();
    expect(connection.isClosed).toBe(false);
    expect(client.connectionCount).toBe(1);

    const second = new Recorder({ onData: () => false });
    client.dispatch(server.origin, request({ path: '/2', bodyTimeoutMs: 2_000 }), second);
    expect((await connection.readRequest()).line).toBe('GET /2 HTTP/1.1');
    await connection.writeApart('HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nabc');
    expect(second.outline).toEqual(['start', 'headers 200', 'data']);
    await connection.writeApart('def');
    first.resume();
    first.abort();
    await settle();
    expect(second.outline).toEqual(['start', 'headers 200', 'data']);
    expect(connection.isClosed).toBe(false);
    second.resume();
    await second.done;
    expect(second.body.toString()).toBe('abcdef');
    expect(second.steps.at(-1)).toBe('complete');

    const third = await Promise.all([fetchVia(client, server.origin, { path: '/3' }), connection.readRequest().then(() => connection.write(OK_HELLO))]);
    expect(third[0].body.toString()).toBe('hello');
    expect(server.connections).toHaveLength(1);
  });
});

describe('UpstreamClient: backpressure', () => {
  it('holds the body while onData says so, without the body timeout firing, and resume carries it to completion', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    let first = true;
    const recorder = new Recorder({
      onData: () => {
        const go = !first;
        first = false;
        return go;
      },
    });
    client.dispatch(server.origin, request({ bodyTimeoutMs: 100 }), recorder);
    const [connection] = await server.accept();
    await connection.writeApart('HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\n', 'aaa', 'bbb', 'ccc');
    await sleep(250);
    expect(recorder.steps).toEqual(['start', 'headers 200', 'data']);
    recorder.resume();
    await recorder.done;
    expect(recorder.outline).toEqual(['start', 'headers 200', 'data', 'complete']);
    expect(recorder.body.toString()).toBe('aaabbbccc');
  });

  it('runs the body timeout again once the handler resumes', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder({ onData: () => false });
    client.dispatch(server.origin, request({ bodyTimeoutMs: 100 }), recorder);
    const [connection] = await server.accept();
    await connection.writeApart('HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\naaa');
    await sleep(200);
    expect(recorder.steps).toEqual(['start', 'headers 200', 'data']);
    recorder.resume();
    await recorder.done;
    expect(recorder.steps).toEqual(['start', 'headers 200', 'data', 'error QCC_BODY_TIMEOUT']);
  });

  it('holds body bytes that came with the head when onHeaders says so, until resume', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder({ onHeaders: () => false });
    client.dispatch(server.origin, request(), recorder);
    const [connection] = await server.accept();
    await connection.writeApart('HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\naaa', 'bbb');
    expect(recorder.steps).toEqual(['start', 'headers 200']);
    recorder.resume();
    await connection.writeApart('ccc');
    await recorder.done;
    expect(recorder.outline).toEqual(['start', 'headers 200', 'data', 'complete']);
    expect(recorder.body.toString()).toBe('aaabbbccc');
  });

  it('holds a whole response that came in one segment until resume, then completes it and keeps the connection', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder({ onHeaders: () => false });
    client.dispatch(server.origin, request(), recorder);
    const [connection] = await server.accept();
    connection.write('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello');
    await sleep(20);
    expect(recorder.steps).toEqual(['start', 'headers 200']);
    recorder.resume();
    await recorder.done;
    expect(recorder.steps).toEqual(['start', 'headers 200', 'data', 'complete']);
    const next = await Promise.all([fetchVia(client, server.origin), connection.readRequest().then(() => connection.write(OK_HELLO))]);
    expect(next[0].body.toString()).toBe('hello');
    expect(server.connections).toHaveLength(1);
  });

  it('holds the later chunks of a segment when onData says so on an earlier one', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder({ onData: () => false });
    client.dispatch(server.origin, request(), recorder);
    const [connection] = await server.accept();
    await connection.writeApart('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n', '3\r\nabc\r\n3\r\ndef\r\n3\r\nghi\r\n0\r\n\r\n');
    expect(recorder.steps).toEqual(['start', 'headers 200', 'data']);
    recorder.resume();
    await settle();
    expect(recorder.steps).toEqual(['start', 'headers 200', 'data', 'data']);
    recorder.resume();
    recorder.resume();
    await recorder.done;
    expect(recorder.steps).toEqual(['start', 'headers 200', 'data', 'data', 'data', 'complete']);
    expect(recorder.body.toString()).toBe('abcdefghi');
  });

  it('stops handing out held chunks when the handler aborts while they go out', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder({ onData: (self, chunk) => (chunk.toString() === 'def' ? self.abort() : false) });
    client.dispatch(server.origin, request(), recorder);
    const [connection] = await server.accept();
    connection.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n3\r\nghi\r\n0\r\n\r\n');
    await vi.waitFor(() => expect(recorder.steps).toEqual(['start', 'headers 200', 'data']), { interval: 5 });
    recorder.resume();
    await connection.closed;
    await settle();
    expect(recorder.body.toString()).toBe('abcdef');
    expect(client.connectionCount).toBe(0);
  });

  it.each([
    ['close-delimited', 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nall of it'],
    ['content-length', 'HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\nall of it'],
  ])('completes a held %s body after resume even though the upstream has closed meanwhile', async (_framing, response) => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder({ onHeaders: () => false });
    client.dispatch(server.origin, request(), recorder);
    const [connection] = await server.accept();
    connection.end(response);
    await connection.closed;
    await settle();
    expect(recorder.steps).toEqual(['start', 'headers 200']);
    recorder.resume();
    await recorder.done;
    expect(recorder.steps).toEqual(['start', 'headers 200', 'data', 'complete']);
    expect(recorder.body.toString()).toBe('all of it');
    expect(client.connectionCount).toBe(0);
  });

  it('completes when onData holds the last bytes, and the connection reads the next response', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder({ onData: () => false });
    client.dispatch(server.origin, request(), recorder);
    const [connection] = await server.accept();
    connection.write(OK_HELLO);
    await recorder.done;
    expect(recorder.steps).toEqual(['start', 'headers 200', 'data', 'complete']);
    const next = await Promise.all([fetchVia(client, server.origin), connection.readRequest().then(() => connection.write('HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nnext'))]);
    expect(next[0].body.toString()).toBe('next');
    expect(server.connections).toHaveLength(1);
  });

  it.each([
    ['a content-length', { 'content-length': String(1024 * 1024) }],
    ['a chunked', {}],
  ])('relays %s body of 1 MiB intact when the handler holds after every chunk and resumes later', async (_case, headers) => {
    const payload = randomBytes(1024 * 1024);
    const { origin } = await startHttpServer((_req, res) => {
      res.writeHead(200, headers);
      for (let at = 0; at < payload.length; at += 16 * 1024) res.write(payload.subarray(at, at + 16 * 1024));
      res.end();
    });
    const client = newClient();
    const recorder = await fetchVia(client, origin, {}, {
      onData: (self) => {
        setImmediate(() => self.resume());
        return false;
      },
    });
    expect(recorder.steps.at(-1)).toBe('complete');
    expect(recorder.body.equals(payload)).toBe(true);
  });
});

describe('UpstreamClient: close()', () => {
  it('closes idle connections at once, and refuses requests afterwards through onError', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    await Promise.all([fetchVia(client, server.origin), server.accept().then(([connection]) => connection.write(OK_HELLO))]);
    expect(client.connectionCount).toBe(1);
    client.close();
    expect(client.connectionCount).toBe(0);
    await (server.connections[0] as ScriptedConnection).closed;
    const late = new Recorder();
    client.dispatch(server.origin, request(), late);
    expect(late.steps).toEqual(['start', 'error QCC_INVALID_REQUEST']);
    await settle();
    expect(server.connections).toHaveLength(1);
  });

  it('lets a request in flight finish, then closes its connection', async () => {
    const server = await ScriptedServer.start();
    const client = newClient();
    const recorder = new Recorder();
    client.dispatch(server.origin, request(), recorder);
    const [connection] = await server.accept();
    client.close();
    expect(client.connectionCount).toBe(1);
    connection.write(OK_HELLO);
    await recorder.done;
    expect(recorder.outline).toEqual(['start', 'headers 200', 'data', 'complete']);
    await connection.closed;
    expect(client.connectionCount).toBe(0);
  });
});

describe('UpstreamClient: TLS', () => {
  it('talks to an https origin whose certificate it is given, reusing the connection and sending big bodies intact', async () => {
    const sockets = new Set<Socket>();
    const { origin } = await startHttpServer(async (req, res) => {
      sockets.add(req.socket);
      const body = await readBody(req);
      res.end(`${req.method} ${req.url} ${req.headers.host} ${body.length} ${body.subarray(0, 4).toString('hex')}`);
    }, true);
    const client = newClient({ tls: { ca: CERT } });
    const small = await fetchVia(client, origin, { method: 'POST', path: '/small', body: 'abcd' });
    expect(small.body.toString()).toBe(`POST /small ${origin.slice('https://'.length)} 4 61626364`);
    const payload = randomBytes(200 * 1024);
    const big = await fetchVia(client, origin, { method: 'POST', path: '/big', body: payload });
    expect(big.body.toString()).toBe(`POST /big ${origin.slice('https://'.length)} ${payload.length} ${payload.subarray(0, 4).toString('hex')}`);
    expect(sockets.size).toBe(1);
    expect(client.connectionCount).toBe(1);
  });

  it('resumes the TLS session on its next connection to the origin instead of a full handshake', async () => {
    const resumed: boolean[] = [];
    const { origin } = await startHttpServer((req, res) => {
      resumed.push((req.socket as TLSSocket).isSessionReused());
      res.setHeader('connection', 'close'); // each request on a new connection
      res.end('ok');
    }, true);
    const client = newClient({ tls: { ca: CERT } });
    await fetchVia(client, origin);
    await fetchVia(client, origin);
    expect(resumed).toEqual([false, true]);
  });

  it('reports a certificate it cannot verify through onError and keeps no connection', async () => {
    const { origin } = await startHttpServer((_req, res) => res.end('unreachable'), true);
    const client = newClient();
    const recorder = await fetchVia(client, origin);
    expect(recorder.steps).toHaveLength(2);
    expect(recorder.steps[0]).toBe('start');
    expect(recorder.errorCode).toMatch(/SELF_SIGNED/);
    expect(client.connectionCount).toBe(0);
  });
});
