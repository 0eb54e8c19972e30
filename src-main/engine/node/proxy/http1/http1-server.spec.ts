import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BodyListener, Http1Request } from './http1-request.js';
import type { Http1Response } from './http1-response.js';
import { Http1Server, type Http1ServerOptions } from './http1-server.js';
import { RequestError, type RequestHead } from './request-head.js';

// The HTTP/1.1 front end over real loopback sockets: raw clients write exact bytes and read exact
// response bytes. The handlers are small test handlers; the proxy on top has its own specs.
// Deadlines run on a variable clock, checked by explicit sweep() calls.

type Handler = (request: Http1Request, response: Http1Response) => void;

/** The server's clock: tests move `t`; `calls` shows when the server looked at it (it does on every arrival that starts a deadline). */
class TestClock {
  t = 1_000_000;
  calls = 0;
  readonly now = (): number => {
    this.calls++;
    return this.t;
  };
}

interface Refusal {
  error: RequestError;
  head: RequestHead | null;
  /** Clock time when the refusal was made. */
  at: number;
}

interface Setup {
  server: Http1Server;
  port: number;
  clock: TestClock;
  /** What the server's `refuse` option was called with. */
  refusals: Refusal[];
}

const servers: Http1Server[] = [];
/** Every client socket a test opened, destroyed after it. */
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const KEEP_ALIVE_MS = 5_000;
const HEADERS_TIMEOUT_MS = 2_000;
const REQUEST_TIMEOUT_MS = 10_000;

async function start(handler: Handler, options: Partial<Http1ServerOptions> = {}): Promise<Setup> {
  const clock = new TestClock();
  const refusals: Refusal[] = [];
  const server = new Http1Server({
    handler,
    // Like the proxy: answer with the status and reason. The server must add `connection: close` itself.
    refuse: (response, error, head) => {
      refusals.push({ error, head, at: clock.t });
      sendText(response, error.status, error.message);
    },
    maxBodyBytes: 1024 * 1024,
    keepAliveTimeoutMs: KEEP_ALIVE_MS,
    headersTimeoutMs: HEADERS_TIMEOUT_MS,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    now: clock.now,
    sweepEveryMs: 0,
    ...options,
  });
  servers.push(server);
  const { port } = await server.listen(0);
  return { server, port, clock, refusals };
}

function sendText(response: Http1Response, status: number, body: string | Buffer, extraHeaders: string[] = []): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  response.writeHead(status, ['content-type', 'text/plain', 'content-length', String(bytes.length), ...extraHeaders]);
  response.end(bytes);
}

/** Answers every request with `<method> <url>` once its body is in, and records the requests. */
function echoHandler(seen: Http1Request[] = []): Handler {
  return (request, response) => {
    seen.push(request);
    request.readBody(bodyListener(
      (body) => sendText(response, 200, Buffer.concat([Buffer.from(`${request.method} ${request.url} `), body])),
      (error) => sendText(response, error.status, error.message, ['connection', 'close']),
    ));
  };
}

/** A body listener from two callbacks. */
function bodyListener(bodyReceived: (body: Buffer) => void, bodyRefused: (error: RequestError) => void): BodyListener {
  return { bodyReceived, bodyRefused };
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/**
 * Lets bytes already written on loopback be read and socket events run: a few turns of the event
 * loop (each passes the poll phase), not a timed wait. Used to check that something did NOT happen.
 */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

interface RawResponse {
  status: number;
  statusLine: string;
  /** Names lower-cased, values as sent, in order. */
  headers: Array<[string, string]>;
  body: Buffer;
  /** Exactly the bytes this response took on the wire. */
  raw: string;
}

function headerOf(response: RawResponse, name: string): string | undefined {
  return response.headers.find(([headerName]) => headerName === name)?.[1];
}

/** A client socket that writes exact bytes and parses exact responses (content-length, chunked, or to the close). */
class RawClient {
  /** Resolves once the connection is closed. */
  readonly closed: Promise<void>;
  private buffer: Buffer = Buffer.alloc(0);
  private ended = false;
  private wake: (() => void) | null = null;
  private taken: Buffer[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (data: Buffer) => {
      this.buffer = this.buffer.length === 0 ? data : Buffer.concat([this.buffer, data]);
      this.notify();
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.ended = true;
        this.notify();
        resolve();
      });
    });
  }

  static async connect(port: number): Promise<RawClient> {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined); // a reset shows as 'close'
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    sockets.push(socket);
    return new RawClient(socket);
  }

  /** Received and not read yet. */
  get unread(): string {
    return this.buffer.toString('latin1');
  }

  get isClosed(): boolean {
    return this.ended;
  }

  write(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Writes and waits until the bytes are handed to the kernel, so separate writes leave as separate segments. */
  async flush(data: string | Buffer): Promise<void> {
    await new Promise<void>((resolve, reject) => this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, (error) => (error ? reject(error) : resolve())));
  }

  async request(head: string): Promise<RawResponse> {
    this.write(head);
    return this.readResponse({ noBody: head.startsWith('HEAD ') });
  }

  /** Waits until `text` has arrived (unread). */
  async waitFor(text: string): Promise<void> {
    while (!this.unread.includes(text)) await this.more();
  }

  /** The next response; `noBody` for answers to HEAD. */
  async readResponse(options: { noBody?: boolean } = {}): Promise<RawResponse> {
    this.taken = [];
    const statusLine = await this.line();
    const match = /^HTTP\/1\.1 (\d{3}) (.+)$/.exec(statusLine);
    if (match === null) throw new Error(`not a status line: ${JSON.stringify(statusLine)}`);
    const status = Number(match[1]);
    const headers: Array<[string, string]> = [];
    for (let line = await this.line(); line !== ''; line = await this.line()) {
      const colon = line.indexOf(': ');
      if (colon <= 0) throw new Error(`malformed response header line ${JSON.stringify(line)}`);
      headers.push([line.slice(0, colon).toLowerCase(), line.slice(colon + 2)]);
    }
    const response: RawResponse = { status, statusLine, headers, body: Buffer.alloc(0), raw: '' };
    const contentLength = headerOf(response, 'content-length');
    if (options.noBody || status < 200 || status === 204 || status === 304) {
      // no body
    } else if (headerOf(response, 'transfer-encoding') === 'chunked') {
      const parts: Buffer[] = [];
      for (;;) {
        const sizeLine = await this.line();
        if (!/^[0-9a-f]+$/.test(sizeLine)) throw new Error(`bad chunk size line ${JSON.stringify(sizeLine)}`);
        const size = parseInt(sizeLine, 16);
        if (size === 0) break;
        parts.push(await this.bytes(size));
        const after = await this.line();
        if (after !== '') throw new Error(`chunk not followed by CRLF: ${JSON.stringify(after)}`);
      }
      while ((await this.line()) !== '');
      response.body = Buffer.concat(parts);
    } else if (contentLength !== undefined) response.body = await this.bytes(Number(contentLength));
    else {
      while (!this.ended) await this.event();
      response.body = this.take(this.buffer.length);
    }
    response.raw = Buffer.concat(this.taken).toString('latin1');
    return response;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private event(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private async more(): Promise<void> {
    if (this.ended) throw new Error(`the connection closed; unread bytes: ${JSON.stringify(this.unread)}`);
    await this.event();
  }

  private take(n: number): Buffer {
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    this.taken.push(out);
    return out;
  }

  private async line(): Promise<string> {
    let end: number;
    while ((end = this.buffer.indexOf('\r\n')) === -1) await this.more();
    const text = this.take(end).toString('latin1');
    this.take(2);
    return text;
  }

  private async bytes(n: number): Promise<Buffer> {
    while (this.buffer.length < n) await this.more();
    return this.take(n);
  }
}

const GET = (path = '/'): string => `GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`;
const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/;

/** Runs `action` and waits until the server has read the clock because of it. */
async function serverReacts(clock: TestClock, action: () => void): Promise<void> {
  const before = clock.calls;
  action();
  await vi.waitFor(() => expect(clock.calls).toBeGreaterThan(before));
}

/** Connects and waits until the server has taken the connection on. */
async function connectCounted(setup: Setup): Promise<RawClient> {
  const before = setup.server.connectionCount;
  const client = await RawClient.connect(setup.port);
  await vi.waitFor(() => expect(setup.server.connectionCount).toBe(before + 1));
  return client;
}

describe('Http1Server: response framing', () => {
  it('frames a simple response byte for byte: status line, headers as given, content-length, date, keep-alive', async () => {
    const seen: Http1Request[] = [];
    const { port } = await start((request, response) => {
      seen.push(request);
      sendText(response, 200, 'hello');
    });
    const client = await RawClient.connect(port);
    client.write('GET /hello?x=1&y=%20 HTTP/1.1\r\nHost: localhost:1234\r\nX-Case: Kept\r\n\r\n');
    const response = await client.readResponse();
    const date = headerOf(response, 'date') as string;
    expect(response.raw).toBe(`HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 5\r\ndate: ${date}\r\nkeep-alive: timeout=5\r\n\r\nhello`);
    expect(date).toMatch(HTTP_DATE);
    expect(Math.abs(Date.parse(date) - Date.now())).toBeLessThan(5_000);
    expect(seen).toHaveLength(1);
    const request = seen[0] as Http1Request;
    expect({ method: request.method, url: request.url, rawHeaders: request.rawHeaders, host: request.header('host'), contentLength: request.contentLength }).toEqual({
      method: 'GET',
      url: '/hello?x=1&y=%20',
      rawHeaders: ['Host', 'localhost:1234', 'X-Case', 'Kept'],
      host: 'localhost:1234',
      contentLength: 0,
    });
    expect(client.unread).toBe('');
  });

  it('sends a chunked body when the handler gives no content-length, and keeps the connection', async () => {
    const { port } = await start((request, response) => {
      response.writeHead(201, ['content-type', 'text/plain']);
      response.write('abc');
      response.write(Buffer.from('defgh'));
      if (request.url === '/end-with-data') response.end('!');
      else response.end();
    });
    const client = await RawClient.connect(port);
    const withData = await client.request(GET('/end-with-data'));
    const date = headerOf(withData, 'date') as string;
    expect(withData.raw).toBe(
      `HTTP/1.1 201 Created\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\ndate: ${date}\r\nkeep-alive: timeout=5\r\n\r\n` +
        '3\r\nabc\r\n5\r\ndefgh\r\n1\r\n!\r\n0\r\n\r\n',
    );
    const bare = await client.request(GET('/end'));
    expect(bare.raw.slice(bare.raw.indexOf('\r\n\r\n') + 4)).toBe('3\r\nabc\r\n5\r\ndefgh\r\n0\r\n\r\n');
    expect(bare.body.toString()).toBe('abcdefgh');
    expect(client.unread).toBe('');
  });

  it('replaces framing headers the handler sets, and keeps its own date', async () => {
    const { port } = await start((_request, response) => {
      response.writeHead(200, ['Transfer-Encoding', 'gzip', 'Keep-Alive', 'timeout=999', 'Connection', 'keep-alive', 'Date', 'Thu, 01 Jan 2026 00:00:00 GMT']);
      response.end('x');
    });
    const client = await RawClient.connect(port);
    const response = await client.request(GET());
    expect(response.raw).toBe('HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\ntransfer-encoding: chunked\r\nkeep-alive: timeout=5\r\n\r\n1\r\nx\r\n0\r\n\r\n');
  });

  it('refuses response header names and values that would split the response', async () => {
    const errors: string[] = [];
    const { port } = await start((request, response) => {
      const headers = request.url === '/name' ? ['X-Bad Name', 'v'] : ['X-Value', 'v\r\nSet-Cookie: stolen=1'];
      try {
        response.writeHead(200, headers);
      } catch (error) {
        errors.push((error as Error).name);
      }
      sendText(response, 500, 'refused');
    });
    const client = await RawClient.connect(port);
    const byValue = await client.request(GET('/value'));
    const byName = await client.request(GET('/name'));
    expect([byValue.status, byName.status]).toEqual([500, 500]);
    expect(byValue.raw + byName.raw).not.toMatch(/stolen|X-Bad/);
    expect(errors).toEqual(['TypeError', 'TypeError']);
  });

  it('sends no body for HEAD, even when the handler writes one, and the next response follows cleanly', async () => {
    const { port } = await start((request, response) => {
      if (request.url === '/stream') {
        response.writeHead(200, ['content-type', 'text/plain']);
        response.write('streamed');
        response.end('!');
      } else sendText(response, 200, 'hello');
    });
    const client = await RawClient.connect(port);
    const head = await client.request('HEAD / HTTP/1.1\r\nHost: h\r\n\r\n');
    expect(head.status).toBe(200);
    expect(headerOf(head, 'content-length')).toBe('5');
    expect(head.raw.endsWith('\r\n\r\n')).toBe(true);
    const headStream = await client.request('HEAD /stream HTTP/1.1\r\nHost: h\r\n\r\n');
    expect(headerOf(headStream, 'transfer-encoding')).toBeUndefined();
    // Any body bytes sent for the HEADs would sit in front of this status line.
    const get = await client.request(GET());
    expect(get.body.toString()).toBe('hello');
    expect(client.unread).toBe('');
  });

  it.each([
    [204, 'No Content'],
    [304, 'Not Modified'],
  ])('sends no body and no length for %i', async (status, reason) => {
    const { port } = await start((request, response) => {
      if (request.url === '/empty') {
        response.writeHead(status, []);
        response.end('ignored');
      } else sendText(response, 200, 'after');
    });
    const client = await RawClient.connect(port);
    const empty = await client.request(GET('/empty'));
    expect(empty.raw).toBe(`HTTP/1.1 ${status} ${reason}\r\ndate: ${headerOf(empty, 'date')}\r\nkeep-alive: timeout=5\r\n\r\n`);
    const after = await client.request(GET('/after'));
    expect(after.body.toString()).toBe('after');
  });

  it('answers an HTTP/1.0 client that did not ask for keep-alive with connection: close, then closes', async () => {
    const { port } = await start((_request, response) => sendText(response, 200, 'hello'));
    const client = await RawClient.connect(port);
    const response = await client.request('GET / HTTP/1.0\r\n\r\n');
    expect(response.raw).toBe(`HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 5\r\ndate: ${headerOf(response, 'date')}\r\nconnection: close\r\n\r\nhello`);
    await client.closed;
    expect(client.unread).toBe('');
  });

  it('ends an HTTP/1.0 body without a length with the connection', async () => {
    const { port } = await start((_request, response) => {
      response.writeHead(200, ['content-type', 'text/plain']);
      response.write('part one, ');
      response.end('part two');
    });
    const client = await RawClient.connect(port);
    const response = await client.request('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    expect(headerOf(response, 'transfer-encoding')).toBeUndefined();
    expect(headerOf(response, 'connection')).toBe('close');
    expect(response.body.toString()).toBe('part one, part two');
    expect(client.isClosed).toBe(true);
  });

  it('keeps an HTTP/1.0 connection that asked for keep-alive and says so', async () => {
    const { port } = await start((_request, response) => sendText(response, 200, 'hi'));
    const client = await RawClient.connect(port);
    const first = await client.request('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    expect(first.raw).toContain('\r\nconnection: keep-alive\r\nkeep-alive: timeout=5\r\n\r\nhi');
    const second = await client.request('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    expect(second.body.toString()).toBe('hi');
  });

  it('honours connection: close from the handler: one header, the socket closes, pipelined requests are not served', async () => {
    const seen: string[] = [];
    const { port } = await start((request, response) => {
      seen.push(request.url);
      sendText(response, 200, 'bye', ['Connection', 'close']);
    });
    const client = await RawClient.connect(port);
    client.write(GET('/first') + GET('/second'));
    const response = await client.readResponse();
    expect(response.raw.match(/connection: close/gi)).toHaveLength(1);
    expect(headerOf(response, 'keep-alive')).toBeUndefined();
    await client.closed;
    expect(client.unread).toBe('');
    expect(seen).toEqual(['/first']);
  });

  it('closes the connection after a body shorter than its content-length', async () => {
    const { port } = await start((_request, response) => {
      response.writeHead(200, ['content-length', '10']);
      response.end('short');
    });
    const client = await RawClient.connect(port);
    client.write(GET());
    await client.closed;
    expect(client.unread).toMatch(/\r\n\r\nshort$/);
  });
});

describe('Http1Server: connections carrying several requests', () => {
  it('serves two sequential requests on one kept-alive socket', async () => {
    const seen: Http1Request[] = [];
    const setup = await start(echoHandler(seen));
    const client = await RawClient.connect(setup.port);
    expect((await client.request(GET('/one'))).body.toString()).toBe('GET /one ');
    expect((await client.request(GET('/two'))).body.toString()).toBe('GET /two ');
    expect(seen.map((request) => request.url)).toEqual(['/one', '/two']);
    expect(setup.server.connectionCount).toBe(1);
    expect(client.isClosed).toBe(false);
  });

  it('answers pipelined requests in order, one at a time, even when the first is answered later', async () => {
    const seen: string[] = [];
    const slow = deferred<Http1Response>();
    const { port } = await start((request, response) => {
      seen.push(request.url);
      if (request.url === '/slow') slow.resolve(response);
      else sendText(response, 200, `fast ${request.url}`);
    });
    const client = await RawClient.connect(port);
    client.write(GET('/slow') + GET('/fast') + GET('/faster'));
    const slowResponse = await slow.promise;
    await settle();
    expect(seen).toEqual(['/slow']); // the later requests wait their turn
    expect(client.unread).toBe('');
    sendText(slowResponse, 200, 'slow answer');
    const bodies = [await client.readResponse(), await client.readResponse(), await client.readResponse()].map((response) => response.body.toString());
    expect(bodies).toEqual(['slow answer', 'fast /fast', 'fast /faster']);
    expect(seen).toEqual(['/slow', '/fast', '/faster']);
  });

  it('splits pipelined requests with content-length and chunked bodies correctly', async () => {
    const { port } = await start(echoHandler());
    const client = await RawClient.connect(port);
    client.write(
      'POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nfirst' +
        'POST /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nsec\r\n3\r\nond\r\n0\r\n\r\n' +
        GET('/c'),
    );
    const bodies = [await client.readResponse(), await client.readResponse(), await client.readResponse()].map((response) => response.body.toString());
    expect(bodies).toEqual(['POST /a first', 'POST /b second', 'GET /c ']);
  });
  it('holds back pipelined requests beyond maxHeadBytes until the current response is done, then serves them all', async () => {
    const slow = deferred<Http1Response>();
    const seen: string[] = [];
    const { port } = await start(
      (request, response) => {
        seen.push(request.url);
        if (request.url === '/slow') slow.resolve(response);
        else sendText(response, 200, request.url);
      },
      { maxHeadBytes: 256 },
    );
    const client = await RawClient.connect(port);
    const paths = Array.from({ length: 40 }, (_, i) => `/p${i}`);
    client.write(GET('/slow') + paths.map((path) => GET(path)).join(''));
    sendText(await slow.promise, 200, '/slow');
    const bodies: string[] = [];
    for (let i = 0; i <= paths.length; i++) bodies.push((await client.readResponse()).body.toString());
    expect(bodies).toEqual(['/slow', ...paths]);
    expect(seen).toEqual(['/slow', ...paths]);
    // Reading resumed: a request written now is still served.
    expect((await client.request(GET('/later'))).body.toString()).toBe('/later');
  });

  it('keeps the next pipelined request waiting while a handler reads a body that has already arrived', async () => {
    const started = deferred<{ request: Http1Request; response: Http1Response }>();
    const seen: string[] = [];
    const { port } = await start((request, response) => {
      seen.push(request.url);
      if (request.url === '/later') started.resolve({ request, response });
      else sendText(response, 200, request.url);
    });
    const client = await RawClient.connect(port);
    client.write(`POST /later HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nbody${GET('/next')}`);
    const { request, response } = await started.promise;
    await settle();
    expect(seen).toEqual(['/later']);
    request.readBody(bodyListener((body) => sendText(response, 200, `late ${body.toString()}`), () => undefined));
    expect((await client.readResponse()).body.toString()).toBe('late body');
    expect((await client.readResponse()).body.toString()).toBe('/next');
  });
});

describe('Http1Server: request bodies', () => {
  it('reassembles a chunked body that arrives in many small writes, byte-exact', async () => {
    const body = Buffer.from(Array.from({ length: 20_000 }, (_, i) => (i * 7 + (i >> 8)) % 256));
    const wire: Buffer[] = [];
    const sizes = [1, 10, 300, 4_096, 17, 2];
    for (let at = 0, i = 0; at < body.length; i++) {
      const size = Math.min(sizes[i % sizes.length] as number, body.length - at);
      wire.push(Buffer.from(`${size.toString(16)}${i % 3 === 0 ? ';ext=1' : ''}\r\n`), body.subarray(at, at + size), Buffer.from('\r\n'));
      at += size;
    }
    wire.push(Buffer.from('0\r\nX-Trailer: t\r\n\r\n'));
    const encoded = Buffer.concat(wire);

    const received = deferred<{ body: Buffer; contentLength: number | null }>();
    const { port } = await start((request, response) => {
      request.readBody(bodyListener((whole) => {
        received.resolve({ body: Buffer.from(whole), contentLength: request.contentLength });
        sendText(response, 200, whole);
      }, () => undefined));
    });
    const client = await RawClient.connect(port);
    await client.flush('POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n');
    for (let at = 0; at < encoded.length; at += 97) await client.flush(encoded.subarray(at, at + 97));
    const response = await client.readResponse();
    const got = await received.promise;
    expect(got.contentLength).toBeNull();
    expect(got.body.equals(body)).toBe(true);
    expect(response.body.equals(body)).toBe(true);
  });

  it('refuses a chunked body above maxBodyBytes with 413 through the handler’s refusal callback', async () => {
    const refused: RequestError[] = [];
    let bodies = 0;
    const { port } = await start(
      (request, response) => {
        request.readBody(bodyListener(
          () => bodies++,
          (error) => {
            refused.push(error);
            sendText(response, error.status, error.message, ['connection', 'close']);
          },
        ));
      },
      { maxBodyBytes: 1_000 },
    );
    const client = await RawClient.connect(port);
    const chunk = `258\r\n${'z'.repeat(600)}\r\n`;
    // Malformed framing after the bytes that passed the cap, in the same write, must not make a second refusal.
    client.write(`POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n${chunk}${chunk}${chunk}not-hex\r\n`);
    const response = await client.readResponse();
    expect(response.status).toBe(413);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toBeInstanceOf(RequestError);
    expect(refused[0]?.status).toBe(413);
    expect(bodies).toBe(0);
    await client.closed;
  });

  it('refuses a content-length body with 413 as soon as it passes maxBodyBytes, without waiting for the rest', async () => {
    const refused: number[] = [];
    const { port } = await start(
      (request, response) =>
        request.readBody(bodyListener(
          () => sendText(response, 200, 'whole'),
          (error) => {
            refused.push(error.status);
            sendText(response, error.status, error.message, ['connection', 'close']);
          },
        )),
      { maxBodyBytes: 1_000 },
    );
    const client = await RawClient.connect(port);
    client.write(`POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5000\r\n\r\n${'y'.repeat(1_001)}`);
    expect((await client.readResponse()).status).toBe(413);
    expect(refused).toEqual([413]);
  });

  it('answers early without reading the body, drops the body when it comes, and keeps the connection', async () => {
    const seen: string[] = [];
    const { port } = await start((request, response) => {
      seen.push(request.url);
      sendText(response, 200, `early ${request.url}`);
    });
    const client = await RawClient.connect(port);
    // The unread body looks like a request: it must be dropped, never served.
    const smuggled = GET('/smuggled');
    const first = await client.request(`POST /early HTTP/1.1\r\nHost: h\r\nContent-Length: ${smuggled.length}\r\n\r\n`);
    expect(first.body.toString()).toBe('early /early');
    expect(headerOf(first, 'connection')).toBeUndefined();
    const second = await client.request(smuggled + GET('/after'));
    expect(second.body.toString()).toBe('early /after');
    expect(seen).toEqual(['/early', '/after']);
  });

  it('drops an unread chunked body that arrives after an early answer, then serves the next request', async () => {
    const seen: string[] = [];
    const { port } = await start((request, response) => {
      seen.push(request.url);
      sendText(response, 200, `early ${request.url}`);
    });
    const client = await RawClient.connect(port);
    expect((await client.request('POST /early HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n')).body.toString()).toBe('early /early');
    await client.flush('5\r\nhel');
    await client.flush('lo\r\n0\r\n\r\n');
    expect((await client.request(GET('/after'))).body.toString()).toBe('early /after');
    expect(seen).toEqual(['/early', '/after']);
  });
});

describe('Http1Server: Expect: 100-continue', () => {
  const EXPECTING = 'POST /upload HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n';

  it('sends 100 Continue when the handler asks for the body, then the final response, and keeps the connection', async () => {
    const started = deferred<{ request: Http1Request; response: Http1Response }>();
    const { port } = await start((request, response) => {
      if (request.url === '/upload') started.resolve({ request, response });
      else sendText(response, 200, 'next');
    });
    const client = await RawClient.connect(port);
    client.write(EXPECTING);
    const { request, response } = await started.promise;
    await settle();
    expect(client.unread).toBe(''); // nothing before the handler asks for the body
    request.readBody(bodyListener((body) => sendText(response, 200, `got ${body.toString()}`), () => undefined));
    const interim = await client.readResponse();
    expect(interim.raw).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    client.write('hello');
    const final = await client.readResponse();
    expect(final.body.toString()).toBe('got hello');
    expect((await client.request(GET('/next'))).body.toString()).toBe('next');
  });

  it('sends no 100 Continue when the handler answers at once, says connection: close, and closes', async () => {
    const { port } = await start((_request, response) => sendText(response, 401, 'no thanks'));
    const client = await RawClient.connect(port);
    client.write(EXPECTING);
    const response = await client.readResponse();
    expect(response.status).toBe(401);
    expect(response.body.toString()).toBe('no thanks');
    await client.closed;
    expect(client.unread).toBe('');
    // The connection closes because the client may or may not send its body: the response must say so.
    expect(headerOf(response, 'connection')).toBe('close');
    expect(headerOf(response, 'keep-alive')).toBeUndefined();
  });
});

describe('Http1Server: refused requests', () => {
  it.each([
    ['a bare LF', 'GET / HTTP/1.1\r\nHost: h\nX-A: b\r\n\r\n', 400],
    ['obsolete line folding', 'GET / HTTP/1.1\r\nHost: h\r\nX-A: b\r\n c\r\n\r\n', 400],
    ['no Host', 'GET / HTTP/1.1\r\nX-A: b\r\n\r\n', 400],
    ['both lengths', 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n', 400],
    ['an absolute target', 'GET http://example.com/ HTTP/1.1\r\nHost: h\r\n\r\n', 400],
    ['a NUL', 'GET / HTTP/1.1\r\nHost: h\x00\r\n\r\n', 400],
    ['HTTP/2.0', 'GET / HTTP/2.0\r\nHost: h\r\n\r\n', 505],
    ['CONNECT', 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', 501],
    ['an unknown expectation', 'POST / HTTP/1.1\r\nHost: h\r\nExpect: wishes\r\n\r\n', 417],
  ])('refuses a head with %s: status, connection: close, socket closed, handler never called, pipelined request dropped', async (_name, head, status) => {
    let handled = 0;
    const { port, refusals } = await start(() => handled++);
    const client = await RawClient.connect(port);
    client.write(head + GET('/pipelined'));
    const response = await client.readResponse();
    expect(response.status).toBe(status);
    expect(headerOf(response, 'connection')).toBe('close');
    expect(refusals).toHaveLength(1);
    const { error, head: parsed } = refusals[0] as Refusal;
    expect(error).toBeInstanceOf(RequestError);
    expect(error.status).toBe(status);
    expect(response.body.toString()).toBe(error.message);
    expect(parsed).toBeNull();
    await client.closed;
    expect(client.unread).toBe('');
    expect(handled).toBe(0);
  });

  it('ignores empty lines before a request line, even more of them than maxHeadBytes, in any pieces', async () => {
    const { port } = await start((_request, response) => sendText(response, 200, 'ok'), { maxHeadBytes: 1_024 });
    const client = await RawClient.connect(port);
    expect((await client.request(`\r\n\r\n${GET()}`)).status).toBe(200);
    for (let i = 0; i < 10; i++) await client.flush('\r\n'.repeat(300));
    await client.flush('\r\n\r');
    expect((await client.request(`\n${GET()}`)).status).toBe(200);
  });

  it('refuses a head over maxHeadBytes with 431, whole or still arriving, and serves one within it', async () => {
    const setup = await start((_request, response) => sendText(response, 200, 'ok'), { maxHeadBytes: 1_024 });
    const within = await RawClient.connect(setup.port);
    expect((await within.request(`GET / HTTP/1.1\r\nHost: h\r\nX-Pad: ${'p'.repeat(900)}\r\n\r\n`)).status).toBe(200);

    const whole = await RawClient.connect(setup.port);
    const tooLarge = await whole.request(`GET / HTTP/1.1\r\nHost: h\r\nX-Pad: ${'p'.repeat(2_000)}\r\n\r\n`);
    expect(tooLarge.status).toBe(431);
    expect(headerOf(tooLarge, 'connection')).toBe('close');
    await whole.closed;

    // No end of head in sight: refused once it passes the limit, not kept buffering.
    const endless = await RawClient.connect(setup.port);
    endless.write(`GET / HTTP/1.1\r\nHost: h\r\nX-Pad: ${'p'.repeat(1_500)}`);
    expect((await endless.readResponse()).status).toBe(431);
    await endless.closed;
    expect(setup.refusals.map((refusal) => refusal.error.status)).toEqual([431, 431]);
  });
});

describe('Http1Server: deadlines (injected clock, explicit sweep)', () => {
  it('drops a kept-alive connection idle for keepAliveTimeoutMs, and not a millisecond before', async () => {
    const setup = await start((_request, response) => sendText(response, 200, 'ok'));
    const client = await RawClient.connect(setup.port);
    expect((await client.request(GET())).status).toBe(200);
    setup.clock.t += KEEP_ALIVE_MS - 1;
    setup.server.sweep();
    expect((await client.request(GET())).status).toBe(200); // still open; this request restarts the idle time
    setup.clock.t += KEEP_ALIVE_MS - 1;
    setup.server.sweep();
    expect((await client.request(GET())).status).toBe(200);
    setup.clock.t += KEEP_ALIVE_MS;
    setup.server.sweep();
    await client.closed;
    expect(client.unread).toBe('');
    await vi.waitFor(() => expect(setup.server.connectionCount).toBe(0));
  });

  it('drops a connection that never sends anything after keepAliveTimeoutMs', async () => {
    const setup = await start((_request, response) => sendText(response, 200, 'ok'));
    const early = await connectCounted(setup);
    setup.clock.t += KEEP_ALIVE_MS - 1;
    setup.server.sweep();
    expect((await early.request(GET())).status).toBe(200);

    const silent = await connectCounted(setup);
    setup.clock.t += KEEP_ALIVE_MS;
    setup.server.sweep();
    await silent.closed;
    expect(silent.unread).toBe('');
    expect(setup.refusals).toEqual([]);
  });

  it('answers a head still incomplete after headersTimeoutMs with 408 and closes, and not before', async () => {
    let handled = 0;
    const setup = await start(() => handled++);
    const client = await connectCounted(setup);
    await serverReacts(setup.clock, () => client.write('POST / HTTP/1.1\r\nHo'));
    const started = setup.clock.t;
    setup.clock.t = started + HEADERS_TIMEOUT_MS - 1;
    setup.server.sweep();
    expect(setup.refusals).toEqual([]);
    setup.clock.t = started + HEADERS_TIMEOUT_MS;
    setup.server.sweep();
    expect(setup.refusals.map(({ error, head, at }) => ({ status: error.status, head, at }))).toEqual([{ status: 408, head: null, at: started + HEADERS_TIMEOUT_MS }]);
    const response = await client.readResponse();
    expect(response.status).toBe(408);
    expect(headerOf(response, 'connection')).toBe('close');
    await client.closed;
    expect(handled).toBe(0);
  });

  it('serves a head completed just before headersTimeoutMs', async () => {
    const setup = await start((_request, response) => sendText(response, 200, 'in time'));
    const client = await connectCounted(setup);
    await serverReacts(setup.clock, () => client.write('GET / HTTP/1.1\r\nHo'));
    setup.clock.t += HEADERS_TIMEOUT_MS - 1;
    setup.server.sweep();
    expect((await client.request('st: h\r\n\r\n')).body.toString()).toBe('in time');
  });

  it('refuses a body still incomplete after requestTimeoutMs with 408 through the handler, and not before', async () => {
    const refused: Array<{ status: number; at: number }> = [];
    const started = deferred();
    const setup = await start((request, response) => {
      request.readBody(bodyListener(
        () => sendText(response, 200, 'whole'),
        (error) => {
          refused.push({ status: error.status, at: setup.clock.t });
          sendText(response, error.status, error.message);
        },
      ));
      started.resolve();
    });
    const client = await RawClient.connect(setup.port);
    client.write(`POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n${'b'.repeat(10)}`);
    await started.promise;
    const headEnd = setup.clock.t;
    setup.clock.t = headEnd + REQUEST_TIMEOUT_MS - 1;
    setup.server.sweep();
    expect(refused).toEqual([]);
    setup.clock.t = headEnd + REQUEST_TIMEOUT_MS;
    setup.server.sweep();
    expect(refused).toEqual([{ status: 408, at: headEnd + REQUEST_TIMEOUT_MS }]);
    const response = await client.readResponse();
    expect(response.status).toBe(408);
    expect(headerOf(response, 'connection')).toBe('close'); // the body's framing is lost
    await client.closed;
    expect(setup.refusals).toEqual([]);
  });

  it('refuses a slow body through the refuse option when the handler neither read it nor answered', async () => {
    const started = deferred();
    const setup = await start(() => started.resolve());
    const client = await RawClient.connect(setup.port);
    client.write('POST /slow HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nonly this');
    await started.promise;
    setup.clock.t += REQUEST_TIMEOUT_MS;
    setup.server.sweep();
    expect(setup.refusals.map(({ error, head }) => ({ status: error.status, method: head?.method, target: head?.target }))).toEqual([{ status: 408, method: 'POST', target: '/slow' }]);
    expect((await client.readResponse()).status).toBe(408);
    await client.closed;
  });

  it('lingers after closing for a client that keeps its side open, then drops it', async () => {
    const setup = await start((_request, response) => sendText(response, 200, 'bye', ['connection', 'close']));
    const socket = connect({ port: setup.port, host: '127.0.0.1', allowHalfOpen: true });
    socket.on('error', () => undefined);
    sockets.push(socket);
    const ended = new Promise<void>((resolve) => socket.once('end', resolve));
    let received = '';
    socket.on('data', (data: Buffer) => (received += data.toString('latin1')));
    socket.write(GET());
    await ended; // our FIN came; the client still holds its side open
    expect(received).toMatch(/\r\n\r\nbye$/);
    const closedAt = setup.clock.t;
    expect(setup.server.connectionCount).toBe(1);
    setup.clock.t = closedAt + 4_999;
    setup.server.sweep();
    await settle();
    expect(setup.server.connectionCount).toBe(1);
    setup.clock.t = closedAt + 5_000;
    setup.server.sweep();
    await vi.waitFor(() => expect(setup.server.connectionCount).toBe(0));
  });

  it('does not time out a response that takes longer than every timeout', async () => {
    const started = deferred<Http1Response>();
    const setup = await start((_request, response) => started.resolve(response));
    const client = await RawClient.connect(setup.port);
    client.write(GET());
    const response = await started.promise;
    setup.clock.t += KEEP_ALIVE_MS + HEADERS_TIMEOUT_MS + REQUEST_TIMEOUT_MS;
    setup.server.sweep();
    sendText(response, 200, 'slow upstream');
    expect((await client.readResponse()).body.toString()).toBe('slow upstream');
    expect(setup.refusals).toEqual([]);
  });
});

describe('Http1Server: client going away, backpressure, shutdown', () => {
  it('calls response.onClose once when the client closes mid-response', async () => {
    let closes = 0;
    const started = deferred<Http1Response>();
    const setup = await start((_request, response) => {
      response.onClose = () => closes++;
      response.writeHead(200, ['content-type', 'text/event-stream']);
      response.write('event: ping\n\n');
      started.resolve(response);
    });
    const client = await RawClient.connect(setup.port);
    client.write(GET());
    const response = await started.promise;
    await client.waitFor('event: ping');
    client.socket.destroy();
    await vi.waitFor(() => expect(closes).toBe(1));
    expect(response.destroyed).toBe(true);
    expect(response.write('more')).toBe(false);
    response.end('last');
    await vi.waitFor(() => expect(setup.server.connectionCount).toBe(0));
    expect(closes).toBe(1);
  });

  it('does not call onClose when the client closes after the response finished', async () => {
    let closes = 0;
    const setup = await start((_request, response) => {
      response.onClose = () => closes++;
      sendText(response, 200, 'done');
    });
    const client = await RawClient.connect(setup.port);
    expect((await client.request(GET())).status).toBe(200);
    client.socket.destroy();
    await vi.waitFor(() => expect(setup.server.connectionCount).toBe(0));
    expect(closes).toBe(0);
  });

  it('returns false from write() while the client does not read, and calls onDrain once it reads again', async () => {
    const CHUNK = Buffer.alloc(64 * 1024, 0x62);
    const TOTAL = 32 * 1024 * 1024; // far more than loopback socket buffers hold
    const pump = { written: 0, refusedWrites: 0, drains: 0, waiting: false };
    const setup = await start((_request, response) => {
      response.writeHead(200, ['content-type', 'application/octet-stream']);
      // Like the proxy's streaming: write until write() says stop, go on when onDrain says so.
      const step = (): void => {
        pump.waiting = false;
        while (pump.written < TOTAL) {
          pump.written += CHUNK.length;
          if (!response.write(CHUNK)) {
            pump.refusedWrites++;
            pump.waiting = true;
            return;
          }
        }
        response.end();
      };
      response.onDrain = () => {
        pump.drains++;
        step();
      };
      step();
    });
    const client = await RawClient.connect(setup.port);
    client.socket.pause();
    client.write(GET());
    await vi.waitFor(() => expect(pump).toMatchObject({ waiting: true }));
    expect(pump.refusedWrites).toBeGreaterThan(0);
    // The server did not take the whole body into memory while the client was not reading.
    expect(pump.written).toBeLessThan(TOTAL);
    const drainsBeforeReading = pump.drains;
    client.socket.resume();
    const received = await client.readResponse();
    expect(received.body.length).toBe(TOTAL);
    expect(pump.drains).toBeGreaterThan(drainsBeforeReading);
  });

  it('close() ends idle and busy connections and stops accepting', async () => {
    let closes = 0;
    const busy = deferred();
    const setup = await start((request, response) => {
      if (request.url === '/hang') {
        response.onClose = () => closes++;
        busy.resolve();
      } else sendText(response, 200, 'ok');
    });
    const idleClient = await RawClient.connect(setup.port);
    expect((await idleClient.request(GET())).status).toBe(200);
    const busyClient = await RawClient.connect(setup.port);
    busyClient.write(GET('/hang'));
    await busy.promise;
    expect(setup.server.connectionCount).toBe(2);
    await setup.server.close();
    await Promise.all([idleClient.closed, busyClient.closed]);
    await vi.waitFor(() => expect(setup.server.connectionCount).toBe(0));
    expect(closes).toBe(1);
    await expect(RawClient.connect(setup.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('counts open connections', async () => {
    const setup = await start((_request, response) => sendText(response, 200, 'ok'));
    expect(setup.server.connectionCount).toBe(0);
    const first = await RawClient.connect(setup.port);
    await first.request(GET());
    const second = await RawClient.connect(setup.port);
    await second.request(GET());
    expect(setup.server.connectionCount).toBe(2);
    first.socket.end();
    await vi.waitFor(() => expect(setup.server.connectionCount).toBe(1));
    const refused = await RawClient.connect(setup.port);
    await refused.request('BAD\r\n\r\n');
    await refused.closed;
    await vi.waitFor(() => expect(setup.server.connectionCount).toBe(1));
    second.socket.destroy();
    await vi.waitFor(() => expect(setup.server.connectionCount).toBe(0));
  });
});
