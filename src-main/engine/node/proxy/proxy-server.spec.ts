import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { sseEvents } from '../../../fake-upstream/sse.js';
import { request } from 'undici';
import { asksForStream } from './proxy-server.js';
import { PROXY_TOKEN, ProxyHarness, messageBody } from './testing/proxy-harness.js';

// The proxy over real loopback sockets, against fake Anthropic upstreams.
// One test per upstream fault: what the client receives and what the engine recorded.

const PAIR = [
  { name: 'production', tier: 'primary', endpoints: 2 },
  { name: 'backup', tier: 'secondary', endpoints: 1 },
] as const;

let h: ProxyHarness;
afterEach(async () => {
  const current = h as ProxyHarness | undefined;
  h = undefined as unknown as ProxyHarness; // tests without a harness must not stop the last one twice
  await current?.stop();
});

/** A one-route upstream written for one test, on loopback; closed after the test. */
const customUpstreams: Server[] = [];
afterEach(async () => {
  const servers = customUpstreams.splice(0);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

async function customUpstream(h: ProxyHarness, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<void> {
  const server = createServer({ keepAliveTimeout: 60_000 }, handler);
  customUpstreams.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.on('connection', (socket) => server.once('close', () => socket.destroy()));
  const { port } = server.address() as AddressInfo;
  await h.engine.invoke('config:add', { name: 'custom', tier: 'primary', endpoints: [{ base_url: `http://127.0.0.1:${port}`, api_key: 'sk-ant-custom-upstream-key-000000', auth_style: 'x-api-key' }] });
}

function eventNames(text: string): string[] {
  return sseEvents(text).map((event) => event.event);
}

const FULL_STREAM = ['message_start', 'content_block_start', 'ping', 'content_block_delta'];

describe('forwarding', () => {
  it('serves a non-streaming request from the active config with x-qcc headers', async () => {
    h = await ProxyHarness.start([...PAIR]);
    const response = await h.send();
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text).content[0].text).toContain('production-0');
    expect(response.headers).toMatchObject({ 'x-qcc-config': 'production', 'x-qcc-endpoint': h.endpointId('production-0'), 'x-qcc-attempts': '1' });
    expect(response.headers['request-id']).toMatch(/^req_/);
    expect(JSON.stringify(response.headers)).not.toContain('upstream-key');
    expect(h.endpointHealth('production-0')).toMatchObject({ state: 'closed', consecutive_successes: 1 });
  });

  it('forwards body, query and anthropic-beta byte-exact under the base URL prefix, with the endpoint key', async () => {
    h = await ProxyHarness.start([{ name: 'relay', tier: 'primary', endpoints: 1, prefix: '/api/anthropic', authStyle: 'bearer' }]);
    // Raw bytes with odd spacing and non-ASCII: a proxy that re-serialized the JSON would change them.
    const body = '{"model":"claude-sonnet-4-6",  "max_tokens":64,"messages":[{"role":"user","content":"héllo \\u00e9 🌍"}],"stream":false}';
    const upstream = h.upstream('relay-0');
    const raw = await request(`${h.proxy.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: { 'x-api-key': PROXY_TOKEN, 'anthropic-beta': 'a,b', 'content-type': 'application/json' },
      body,
    });
    await raw.body.arrayBuffer();
    const seen = upstream.received[0];
    expect(seen?.url).toBe('/api/anthropic/v1/messages?beta=true');
    expect(seen?.body.toString('utf8')).toBe(body);
    expect(seen?.headers['anthropic-beta']).toBe('a,b');
    expect(seen?.headers['authorization']).toBe('Bearer sk-ant-relay-0-upstream-key-000000');
    expect(seen?.headers['x-api-key']).toBeUndefined();
  });

  it('keeps custom headers and their case', async () => {
    h = await ProxyHarness.start([{ name: 'production', tier: 'primary', endpoints: 1 }]);
    await h.send({ headers: { 'X-Custom-Thing': 'Mixed Case', 'anthropic-version': '2023-06-01' } });
    const seen = h.upstream('production-0').received[0];
    expect(seen?.rawHeaders).toContain('X-Custom-Thing');
    expect(seen?.headers['x-custom-thing']).toBe('Mixed Case');
    expect(seen?.headers['anthropic-version']).toBe('2023-06-01');
    expect(seen?.headers['x-api-key']).toBe('sk-ant-production-0-upstream-key-000000');
  });

  it('relays SSE bytes unchanged', async () => {
    h = await ProxyHarness.start([{ name: 'production', tier: 'primary', endpoints: 1 }]);
    const response = await h.send({ stream: true });
    expect(response.headers['content-type']).toContain('text/event-stream');
    const events = sseEvents(response.text);
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      ...Array(8).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    // The fake sends `{"type": "ping"}` with a space: a proxy that re-serialized events would lose it.
    expect(response.text).toContain('event: ping\ndata: {"type": "ping"}\n\n');
    const text = events.filter((e) => e.event === 'content_block_delta').map((e) => (e.data as { delta: { text: string } }).delta.text).join('');
    expect(text).toBe(h.upstream('production-0').replyText);
  });

  it('forwards GET /v1/models, count_tokens and HEAD /api/hello', async () => {
    h = await ProxyHarness.start([{ name: 'production', tier: 'primary', endpoints: 1 }]);
    expect(JSON.parse((await h.send({ method: 'GET', path: '/v1/models' })).text).data.length).toBeGreaterThan(0);
    expect(JSON.parse((await h.send({ path: '/v1/messages/count_tokens', body: messageBody(false) })).text).input_tokens).toBeGreaterThan(0);
    expect((await h.send({ method: 'HEAD', path: '/api/hello' })).status).toBe(200);
    expect(h.upstream('production-0').received.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /v1/models', 'POST /v1/messages/count_tokens', 'HEAD /api/hello']);
  });
});

describe('HTTPS upstreams, as the real API is served', () => {
  it('serves streaming and non-streaming requests over TLS with the endpoint key, reusing the connection', async () => {
    h = await ProxyHarness.start([{ name: 'production', tier: 'primary', endpoints: 1, tls: true }]);
    const upstream = h.upstream('production-0');
    expect(upstream.url).toMatch(/^https:/);
    const plain = await h.send();
    expect(plain.status).toBe(200);
    expect(JSON.parse(plain.text).content[0].text).toContain('production-0');
    const streamed = await h.send({ stream: true });
    expect(eventNames(streamed.text)).toEqual(['message_start', 'content_block_start', 'ping', ...Array(8).fill('content_block_delta'), 'content_block_stop', 'message_delta', 'message_stop']);
    expect(upstream.received.map((r) => r.headers['x-api-key'])).toEqual(['sk-ant-production-0-upstream-key-000000', 'sk-ant-production-0-upstream-key-000000']);
    expect(upstream.openSockets()).toBe(1);
  });

  it('fails over from an HTTPS endpoint whose certificate is not trusted, and says why', async () => {
    h = await ProxyHarness.start([{ name: 'production', tier: 'primary', endpoints: 1, tls: true }, { name: 'backup', tier: 'secondary', endpoints: 1 }], {}, { upstreamTls: {} });
    const response = await h.send();
    expect(response.status).toBe(200);
    expect(response.headers['x-qcc-config']).toBe('backup');
    expect(h.upstream('production-0').received).toEqual([]);
    expect(h.endpointHealth('production-0')?.last_error).toMatch(/SELF_SIGNED_CERT/);
  });
});

describe('local access token', () => {
  it.each([
    ['missing', null],
    ['wrong', 'qcc-not-the-token'],
  ])('answers a %s token with 401 in Anthropic format and forwards nothing', async (_label, token) => {
    h = await ProxyHarness.start([{ name: 'production', tier: 'primary', endpoints: 1 }]);
    const response = await h.send({ token });
    expect(response.status).toBe(401);
    expect(JSON.parse(response.text)).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    expect(h.upstream('production-0').received).toEqual([]);
  });

  it('accepts the token as a bearer authorization', async () => {
    h = await ProxyHarness.start([{ name: 'production', tier: 'primary', endpoints: 1 }]);
    const response = await h.send({ token: null, headers: { authorization: 'Bearer qcc-test-proxy-token-0123456789' } });
    expect(response.status).toBe(200);
  });
});

describe('pause and resume', () => {
  it('while paused, answers 503 in Anthropic format at once, forwarding nothing and reporting nothing', async () => {
    h = await ProxyHarness.start([{ name: 'production', tier: 'primary', endpoints: 1 }]);
    expect(h.proxy.paused).toBe(false);
    h.proxy.pause();
    expect(h.proxy.paused).toBe(true);
    for (const stream of [false, true]) {
      const response = await h.send({ stream });
      expect(response.status).toBe(503);
      expect(response.headers['x-should-retry']).toBe('false');
      // A paused proxy keeps its clients' connections.
      expect(response.headers.connection).not.toBe('close');
      expect(response.headers['keep-alive']).toBe('timeout=65');
      expect(JSON.parse(response.text)).toEqual({
        type: 'error',
        error: { type: 'api_error', message: 'QCC is paused: requests are not being forwarded. Resume it from the QCC tray menu.' },
      });
    }
    expect(h.upstream('production-0').received).toEqual([]);
    expect(h.endpointHealth('production-0')).toMatchObject({ consecutive_failures: 0, consecutive_successes: 0 });
    expect(h.logs.map((entry) => [entry.status, entry.error])).toEqual([
      [503, 'QCC is paused'],
      [503, 'QCC is paused'],
    ]);
  });

  it('still answers a missing token with 401 while paused', async () => {
    h = await ProxyHarness.start([{ name: 'production', tier: 'primary', endpoints: 1 }]);
    h.proxy.pause();
    expect((await h.send({ token: null })).status).toBe(401);
  });

  it('serves again after resume', async () => {
    h = await ProxyHarness.start([{ name: 'production', tier: 'primary', endpoints: 1 }]);
    h.proxy.pause();
    expect((await h.send()).status).toBe(503);
    h.proxy.resume();
    expect(h.proxy.paused).toBe(false);
    const response = await h.send();
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text).content[0].text).toBe(h.upstream('production-0').replyText);
    expect(h.upstream('production-0').received).toHaveLength(1);
  });

  it('lets a stream already in flight finish when paused', async () => {
    h = await ProxyHarness.start([{ name: 'production', tier: 'primary', endpoints: 1 }]);
    await h.upstream('production-0').setFault({ kind: 'slow_drip', intervalMs: 20 });
    const inFlight = h.send({ stream: true });
    await expect.poll(() => h.upstream('production-0').received.length).toBe(1);
    h.proxy.pause();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(eventNames(response.text).at(-1)).toBe('message_stop');
    expect(eventNames(response.text)).not.toContain('error');
  });
});

describe('limits', () => {
  it('refuses a body over the cap with 413 in Anthropic format, forwarding nothing', async () => {
    h = await ProxyHarness.start([{ name: 'production', tier: 'primary', endpoints: 1 }], {}, { maxRequestBytes: 1_024 });
    const response = await h.send({ body: { ...messageBody(false), padding: 'x'.repeat(2_000) } });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.text).error.type).toBe('request_too_large');
    expect(h.upstream('production-0').received).toEqual([]);
  });
});

describe('hostile and unusual requests', () => {
  /** Writes `bytes` on a raw socket and resolves with everything the proxy sends until it closes the connection. */
  function rawExchange(url: string, bytes: string): Promise<string> {
    const { port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write(bytes));
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', reject);
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    });
  }

  function bodyOf(response: string): unknown {
    return JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4));
  }

  it('refuses Content-Length together with Transfer-Encoding (a smuggling attempt) with 400 in Anthropic format, forwards nothing, closes the connection and logs it', async () => {
    h = await ProxyHarness.start([{ name: 'production', tier: 'primary', endpoints: 1 }]);
    const smuggled = 'GET /v1/models HTTP/1.1\r\nHost: x\r\nx-api-key: ' + PROXY_TOKEN + '\r\n\r\n';
    const response = await rawExchange(
      h.proxy.url,
      `POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: ${PROXY_TOKEN}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`,
    );
    expect(response).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(response).toMatch(/\r\nconnection: close\r\n/);
    expect(response.match(/HTTP\/1\.1 /g)).toHaveLength(1); // the smuggled request was never answered
    expect(bodyOf(response)).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'Bad request: both Content-Length and Transfer-Encoding are present.' } });
    expect(h.upstream('production-0').received).toEqual([]);
    expect(h.logs).toMatchObject([{ method: 'POST', path: '/v1/messages', status: 400, attempts: 0, error: 'Bad request: both Content-Length and Transfer-Encoding are present.' }]);
  });

  it('answers a request line that is not HTTP/1.x with 400 and never reaches the engine', async () => {
    h = await ProxyHarness.start([{ name: 'production', tier: 'primary', endpoints: 1 }]);
    const response = await rawExchange(h.proxy.url, 'HELLO\r\n\r\n');
    expect(response).toMatch(/^HTTP\/1\.1 400 /);
    expect(bodyOf(response)).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(h.upstream('production-0').received).toEqual([]);
    expect(h.logs).toMatchObject([{ method: '', path: '', status: 400 }]);
  });

  it('forwards a chunked request body byte-exact, as one body with a length', async () => {
    h = await ProxyHarness.start([{ name: 'production', tier: 'primary', endpoints: 1 }]);
    const body = JSON.stringify(messageBody(false));
    const pieces = [body.slice(0, 7), body.slice(7, 30), body.slice(30)];
    const response = await request(`${h.proxy.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': PROXY_TOKEN, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: Readable.from(pieces.map((piece) => Buffer.from(piece))),
    });
    expect(response.statusCode).toBe(200);
    await response.body.text();
    const [received] = h.upstream('production-0').received;
    expect(received?.body.toString('utf8')).toBe(body);
    expect(received?.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(received?.headers['transfer-encoding']).toBeUndefined();
  });

  it('refuses a chunked body with 413 as soon as it passes the cap, forwarding nothing', async () => {
    h = await ProxyHarness.start([{ name: 'production', tier: 'primary', endpoints: 1 }], {}, { maxRequestBytes: 1_024 });
    const chunk = 'x'.repeat(600);
    const response = await rawExchange(
      h.proxy.url,
      `POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: ${PROXY_TOKEN}\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n${chunk}\r\n258\r\n${chunk}\r\n`,
    );
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(bodyOf(response)).toMatchObject({ error: { type: 'request_too_large' } });
    expect(h.upstream('production-0').received).toEqual([]);
    expect(h.logs).toMatchObject([{ status: 413, error: 'request body too large' }]);
  });

  it('answers a request head that stops arriving with 408 once the headers timeout passes, not before', async () => {
    let now = 0;
    h = await ProxyHarness.start([{ name: 'production', tier: 'primary', endpoints: 1 }], {}, { now: () => now, headersTimeoutMs: 10_000 });
    // A whole request, then the start of a second one in the same write: once the first is logged, the second's head is known to be waiting.
    const first = `GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: ${PROXY_TOKEN}\r\n\r\n`;
    const response = rawExchange(h.proxy.url, `${first}POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
    await expect.poll(() => h.logs.length).toBe(1);
    now = 9_999;
    h.proxy.sweepConnections();
    expect(await h.proxy.connectionCount()).toBe(1);
    now = 10_000;
    h.proxy.sweepConnections();
    const text = await response;
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    const second = text.slice(text.lastIndexOf('HTTP/1.1 '));
    expect(second).toMatch(/^HTTP\/1\.1 408 /);
    expect(bodyOf(second)).toMatchObject({ type: 'error', error: { message: 'Request timeout: the request head did not arrive in time.' } });
    expect(h.logs[1]).toMatchObject({ status: 408 });
  });
});

describe('failing over, one upstream fault at a time', () => {
  it('connection refused → next endpoint of the same config', async () => {
    h = await ProxyHarness.start([...PAIR]);
    await h.upstream('production-0').setFault({ kind: 'refuse' });
    const response = await h.send();
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({ 'x-qcc-endpoint': h.endpointId('production-1'), 'x-qcc-attempts': '2' });
    expect(h.endpointHealth('production-0')).toMatchObject({ consecutive_failures: 1, last_error: 'ECONNREFUSED' });
  });

  it('hang before headers → first-byte timeout → next endpoint', async () => {
    h = await ProxyHarness.start([...PAIR], { first_byte_timeout_ms: 1_000 });
    await h.upstream('production-0').setFault({ kind: 'hang' });
    const response = await h.send({ stream: true });
    expect(response.status).toBe(200);
    expect(eventNames(response.text).at(-1)).toBe('message_stop');
    expect(response.headers['x-qcc-endpoint']).toBe(h.endpointId('production-1'));
    expect(h.endpointHealth('production-0')?.last_error).toMatch(/first-byte timeout/);
  });

  it('slow first byte within the timeout → served by the same endpoint, no penalty', async () => {
    h = await ProxyHarness.start([...PAIR], { first_byte_timeout_ms: 5_000 });
    await h.upstream('production-0').setFault({ kind: 'slow_first_byte', delayMs: 300 });
    const response = await h.send({ stream: true });
    expect(response.headers['x-qcc-endpoint']).toBe(h.endpointId('production-0'));
    expect(h.endpointHealth('production-0')).toMatchObject({ consecutive_failures: 0, consecutive_successes: 1 });
  });

  it.each([500, 502, 503, 504])('HTTP %i → next endpoint, counted as a failure', async (status) => {
    h = await ProxyHarness.start([...PAIR]);
    await h.upstream('production-0').setFault({ kind: 'status', status });
    const response = await h.send();
    expect(response.status).toBe(200);
    expect(response.headers['x-qcc-endpoint']).toBe(h.endpointId('production-1'));
    expect(h.endpointHealth('production-0')).toMatchObject({ consecutive_failures: 1, last_error: `HTTP ${status}` });
  });

  it('529 overloaded on every primary endpoint → the backup config serves', async () => {
    h = await ProxyHarness.start([...PAIR]);
    await h.upstream('production-0').setFault({ kind: 'overloaded' });
    await h.upstream('production-1').setFault({ kind: 'overloaded' });
    const response = await h.send({ stream: true });
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({ 'x-qcc-config': 'backup', 'x-qcc-attempts': '3' });
    expect(h.upstream('backup-0').received).toHaveLength(1);
  });

  it('429 → ejected until retry-after, next endpoint serves', async () => {
    h = await ProxyHarness.start([...PAIR]);
    await h.upstream('production-0').setFault({ kind: 'rate_limited', retryAfterSeconds: 120 });
    const before = Date.now();
    const response = await h.send();
    expect(response.headers['x-qcc-endpoint']).toBe(h.endpointId('production-1'));
    const health = h.endpointHealth('production-0');
    expect(health).toMatchObject({ state: 'open', ejection_cause: 'rate_limited' });
    expect(health?.ejected_until).toBeGreaterThanOrEqual(before + 119_000);
    expect(health?.ejected_until).toBeLessThanOrEqual(Date.now() + 121_000);
    // Ejected: the next request does not even try it.
    h.upstream('production-0').clearReceived();
    await h.send();
    expect(h.upstream('production-0').received).toEqual([]);
  });

  it('401 → key flagged, next endpoint serves, notification raised', async () => {
    h = await ProxyHarness.start([...PAIR]);
    await h.upstream('production-0').setFault({ kind: 'unauthorized' });
    const response = await h.send();
    expect(response.headers['x-qcc-endpoint']).toBe(h.endpointId('production-1'));
    expect(h.endpointHealth('production-0')).toMatchObject({ state: 'open', credential_rejected: true });
    expect(h.notifier.kinds()).toContain('credential_rejected');
  });

  it("400 is the client's problem: passed through unchanged, one attempt, no penalty", async () => {
    h = await ProxyHarness.start([...PAIR]);
    await h.upstream('production-0').setFault({ kind: 'status', status: 400 });
    const response = await h.send();
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text).error.type).toBe('invalid_request_error');
    expect(response.headers['x-qcc-attempts']).toBe('1');
    expect(h.upstream('production-1').received).toEqual([]);
    expect(h.endpointHealth('production-0')).toMatchObject({ consecutive_failures: 0, state: 'closed' });
  });

  it('an SSE error event before any content → next endpoint, client sees a clean stream', async () => {
    h = await ProxyHarness.start([...PAIR]);
    await h.upstream('production-0').setFault({ kind: 'sse_error_first' });
    const response = await h.send({ stream: true });
    expect(eventNames(response.text).slice(0, 4)).toEqual(FULL_STREAM);
    expect(eventNames(response.text)).not.toContain('error');
    expect(response.headers['x-qcc-endpoint']).toBe(h.endpointId('production-1'));
    expect(h.endpointHealth('production-0')?.last_error).toBe('stream began with an error event');
  });

  it('reset mid-stream → the client gets a well-formed error event at the end; counted as a failure', async () => {
    h = await ProxyHarness.start([...PAIR]);
    await h.upstream('production-0').setFault({ kind: 'reset_mid_stream', afterEvents: 4 });
    const response = await h.send({ stream: true });
    const events = sseEvents(response.text);
    expect(events.slice(0, 4).map((e) => e.event)).toEqual(FULL_STREAM);
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { type: 'error', error: { type: 'api_error' } } });
    expect(response.text.endsWith('\n\n')).toBe(true);
    expect(h.endpointHealth('production-0')?.consecutive_failures).toBe(1);
    expect(h.logs.at(-1)?.error).toBeTruthy();
  });

  it('stream cut without message_stop → error event at the end; counted as a failure', async () => {
    h = await ProxyHarness.start([...PAIR]);
    await h.upstream('production-0').setFault({ kind: 'cut_stream', afterEvents: 5 });
    const response = await h.send({ stream: true });
    const names = eventNames(response.text);
    expect(names).toHaveLength(6);
    expect(names.at(-1)).toBe('error');
    expect(h.endpointHealth('production-0')?.last_error).toBe('stream ended without message_stop');
  });

  it('slow drip → every event arrives from the same endpoint, no failover', async () => {
    h = await ProxyHarness.start([...PAIR]);
    await h.upstream('production-0').setFault({ kind: 'slow_drip', intervalMs: 25 });
    const response = await h.send({ stream: true });
    expect(eventNames(response.text).at(-1)).toBe('message_stop');
    expect(response.headers['x-qcc-attempts']).toBe('1');
  });

  it('idle stream past stream_idle_timeout → error event, failure counted', async () => {
    h = await ProxyHarness.start([...PAIR], { stream_idle_timeout_ms: 1_000 });
    await h.upstream('production-0').setFault({ kind: 'slow_drip', intervalMs: 1_500 });
    const response = await h.send({ stream: true });
    const names = eventNames(response.text);
    expect(names[0]).toBe('message_start');
    expect(names.at(-1)).toBe('error');
    expect(h.endpointHealth('production-0')?.last_error).toBe('stream idle timeout');
  });
});

describe('when every candidate fails', () => {
  it('returns the last upstream error as received, with its retry-after', async () => {
    h = await ProxyHarness.start([...PAIR]);
    await h.upstream('production-0').setFault({ kind: 'status', status: 503 });
    await h.upstream('production-1').setFault({ kind: 'overloaded' });
    await h.upstream('backup-0').setFault({ kind: 'status', status: 503, retryAfterSeconds: 7 });
    const response = await h.send();
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('7');
    expect(response.headers['x-qcc-attempts']).toBe('3');
    expect(JSON.parse(response.text)).toMatchObject({ type: 'error', error: { type: 'api_error' } });
  });

  it('answers 502 in Anthropic format when no upstream answered at all', async () => {
    h = await ProxyHarness.start([{ name: 'production', tier: 'primary', endpoints: 1 }]);
    await h.upstream('production-0').setFault({ kind: 'refuse' });
    const response = await h.send();
    expect(response.status).toBe(502);
    expect(JSON.parse(response.text).error.message).toContain('ECONNREFUSED');
  });

  it('answers 503 when there is no config at all', async () => {
    h = await ProxyHarness.start([]);
    const response = await h.send();
    expect(response.status).toBe(503);
    expect(JSON.parse(response.text).error.message).toContain('qcc add');
  });

  it('with auto_failover off, tries only the active config and passes its error through', async () => {
    h = await ProxyHarness.start([...PAIR], { auto_failover_enabled: false });
    await h.upstream('production-0').setFault({ kind: 'overloaded' });
    await h.upstream('production-1').setFault({ kind: 'overloaded' });
    const response = await h.send();
    expect(response.status).toBe(529);
    expect(h.upstream('backup-0').received).toEqual([]);
  });
});

describe('passive health drives the failover manager', () => {
  it('switches the active config after the first failing requests, not a minute later', async () => {
    h = await ProxyHarness.start([...PAIR], { failure_threshold: 2 });
    await h.upstream('production-0').setFault({ kind: 'overloaded' });
    await h.upstream('production-1').setFault({ kind: 'overloaded' });
    for (let i = 0; i < 2; i++) expect((await h.send()).status).toBe(200);
    expect(h.engine.activeConfig).toBe('backup');
    h.upstream('production-0').clearReceived();
    await h.send();
    expect(h.upstream('production-0').received).toEqual([]);
  });
});

describe('client going away', () => {
  it('aborts the upstream request at once and charges no one', async () => {
    h = await ProxyHarness.start([{ name: 'production', tier: 'primary', endpoints: 1 }]);
    await h.upstream('production-0').setFault({ kind: 'slow_drip', intervalMs: 100 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 250);
    await expect(h.send({ stream: true, signal: controller.signal })).rejects.toThrow();
    await expect.poll(() => h.upstream('production-0').received[0]?.aborted, { timeout: 2_000 }).toBe(true);
    expect(h.endpointHealth('production-0')).toMatchObject({ consecutive_failures: 0, state: 'closed' });
  });
});

describe('backpressure', () => {
  it('pauses the upstream while the client does not read, then relays every byte in order', async () => {
    h = await ProxyHarness.start([]);
    const sent: Buffer[] = [];
    let upstreamBlocked = false;
    let upstreamDone = false;
    await customUpstream(h, (req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: message_start\ndata: {"type":"message_start"}\n\n');
      let n = 0;
      const more = () => {
        while (n < 4_000) {
          const chunk = Buffer.from(`event: content_block_delta\ndata: {"n":${n++},"pad":"${'x'.repeat(2_000)}"}\n\n`);
          sent.push(chunk);
          if (!res.write(chunk)) {
            upstreamBlocked = true;
            res.once('drain', more);
            return;
          }
        }
        res.end('event: message_stop\ndata: {"type":"message_stop"}\n\n');
        upstreamDone = true;
      };
      more();
    });
    const received: Buffer[] = [];
    const done = new Promise<IncomingMessage>((resolve, reject) => {
      const body = JSON.stringify(messageBody(true));
      const req = httpRequest(`${h.proxy.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': PROXY_TOKEN, 'content-type': 'application/json' } }, (res) => {
        res.pause(); // a client that does not read yet
        resolve(res);
      });
      req.on('error', reject);
      req.end(body);
    });
    const res = await done;
    // 8 MB stream: the upstream either had to wait for the proxy, or got it all into socket buffers; both leave the proxy with unread data.
    await expect.poll(() => upstreamBlocked || upstreamDone, { timeout: 5_000 }).toBe(true);
    const ended = new Promise<void>((resolve) => res.on('end', resolve));
    res.on('data', (chunk: Buffer) => received.push(chunk));
    res.resume();
    await ended;
    const text = Buffer.concat(received).toString('utf8');
    expect(text.startsWith('event: message_start')).toBe(true);
    expect(text).toContain(Buffer.concat(sent).toString('utf8'));
    expect(eventNames(text).at(-1)).toBe('message_stop');
  }, 20_000);
});

describe('client going away before the upstream answers', () => {
  it('aborts the waiting upstream request and charges no one', async () => {
    h = await ProxyHarness.start([{ name: 'production', tier: 'primary', endpoints: 1 }]);
    await h.upstream('production-0').setFault({ kind: 'hang' });
    const controller = new AbortController();
    const sending = h.send({ signal: controller.signal });
    await expect.poll(() => h.upstream('production-0').received.length).toBe(1);
    controller.abort();
    await expect(sending).rejects.toThrow();
    await expect.poll(() => h.upstream('production-0').received[0]?.aborted, { timeout: 2_000 }).toBe(true);
    expect(h.endpointHealth('production-0')).toMatchObject({ consecutive_failures: 0, state: 'closed' });
    await expect.poll(() => h.logs.length).toBe(1);
    expect(h.logs[0]).toMatchObject({ attempts: 0, config: null });
  });
});

describe('held upstream errors', () => {
  it('keeps the first 64 KiB of a huge error body, drops the rest with the connection, and sends it with a matching length', async () => {
    h = await ProxyHarness.start([]);
    const huge = Buffer.alloc(1_000_000, 'e');
    let servingSocketClosed = false;
    await customUpstream(h, (req, res) => {
      req.resume();
      req.socket.once('close', () => (servingSocketClosed = true));
      res.writeHead(503, { 'content-type': 'text/plain', 'content-length': huge.length, 'retry-after': '9' });
      res.end(huge);
    });
    const response = await h.send();
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('9');
    expect(response.headers['content-length']).toBe(String(64 * 1024));
    expect(response.bytes.equals(huge.subarray(0, 64 * 1024))).toBe(true);
    // Reading the other ~940 KB would only keep the connection for reuse; the proxy drops it instead.
    await expect.poll(() => servingSocketClosed).toBe(true);
  });
});

describe('asksForStream', () => {
  it('finds "stream": true in a body without parsing it', () => {
    const yes = (text: string) => asksForStream(Buffer.from(text));
    expect(yes('{"model":"m","stream":true}')).toBe(true);
    expect(yes('{"model":"m", "stream" :\n true, "max_tokens": 1}')).toBe(true);
    expect(yes('{"model":"m","stream":false}')).toBe(false);
    expect(yes('{"model":"m","messages":[{"content":"say \\"stream\\" please"}],"stream":true}')).toBe(true);
    expect(yes('{"messages":[{"content":"\\"stream\\": true"}]}')).toBe(false);
    expect(yes('')).toBe(false);
  });
});
