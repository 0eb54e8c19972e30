import { Agent, request, ServerResponse, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeAnthropic, type FakeAnthropicOptions } from './fake-anthropic.js';
import { sseEvents, type SseEvent } from './sse.js';

const MESSAGE = { model: 'claude-test-1', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] };
const STREAM = { ...MESSAGE, stream: true };
const JSON_HEADERS = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' };

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** How many separate reads the body arrived in. */
  chunks: number;
  /** The error that ended the response early, if any. */
  error: NodeJS.ErrnoException | undefined;
}

/**
 * One request on a fresh connection (no agent pooling, so no test inherits
 * another's socket). Rejects only when no response arrives; a response broken
 * midway resolves with what arrived and the error.
 */
function send(url: string, options: { method?: string; headers?: OutgoingHttpHeaders; body?: string | Buffer; agent?: Agent } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? false });
    req.once('error', reject);
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      let error: NodeJS.ErrnoException | undefined;
      req.off('error', reject);
      req.on('error', (e) => (error ??= e));
      res.on('error', (e) => (error ??= e));
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('close', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), chunks: chunks.length, error }));
    });
    req.end(options.body);
  });
}

function post(fake: FakeAnthropic, body: unknown, path = '/v1/messages', headers: OutgoingHttpHeaders = {}): Promise<Reply> {
  return send(fake.url + path, { method: 'POST', headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) });
}

function json(reply: Reply): Record<string, unknown> {
  return JSON.parse(reply.body) as Record<string, unknown>;
}

function names(events: SseEvent[]): string[] {
  return events.map((e) => e.event);
}

function deltaText(events: SseEvent[]): string {
  return events
    .filter((e) => e.event === 'content_block_delta')
    .map((e) => (e.data as { delta: { text: string } }).delta.text)
    .join('');
}

const started: FakeAnthropic[] = [];
async function start(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const fake = await FakeAnthropic.start(options);
  started.push(fake);
  return fake;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((fake) => fake.stop()));
});

const WHOLE_STREAM = (deltas: number): string[] => [
  'message_start',
  'content_block_start',
  'ping',
  ...Array<string>(deltas).fill('content_block_delta'),
  'content_block_stop',
  'message_delta',
  'message_stop',
];

// First in the file, so no earlier test's sockets or timers are still winding down and blur the handle count.
describe('FakeAnthropic.stop', () => {
  const TRACKED = new Set(['TCPServerWrap', 'TCPSocketWrap', 'Timeout']);
  const handles = (): number => process.getActiveResourcesInfo().filter((r) => TRACKED.has(r)).length;

  it('closes idle, hanging and streaming connections and leaves no handles or timers behind', async () => {
    const baseline = handles();
    const fake = await FakeAnthropic.start({ chunkDelayMs: 5000 });
    const agent = new Agent({ keepAlive: true });
    try {
      await send(`${fake.url}/api/hello`, { agent }); // leaves an idle keep-alive connection
      const streaming = post(fake, STREAM); // parked in a 5 s pause between events
      await vi.waitFor(() => expect(fake.received).toHaveLength(2));
      await fake.setFault({ kind: 'hang' });
      // Settled into a value at once, so the rejection is never briefly unhandled while stop() runs.
      const hanging = post(fake, MESSAGE).then(
        () => undefined,
        (error: unknown) => error,
      );
      await vi.waitFor(() => expect(fake.openSockets()).toBe(3));

      await fake.stop();
      expect(fake.openSockets()).toBe(0);
      expect((await streaming).error).toBeDefined();
      expect(await hanging).toMatchObject({ code: 'ECONNRESET' });
      await expect(send(`${fake.url}/api/hello`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await fake.stop(); // idempotent
    } finally {
      agent.destroy();
    }
    await vi.waitFor(() => expect(handles()).toBeLessThanOrEqual(baseline));
  });
});

describe('FakeAnthropic.stop while refusing', () => {
  it('resolves, and a later clearFault does not listen again', async () => {
    const fake = await FakeAnthropic.start();
    await fake.setFault({ kind: 'refuse' });
    await fake.stop();
    await fake.clearFault();
    await expect(send(`${fake.url}/api/hello`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('FakeAnthropic routes', () => {
  it('streams a message with Anthropic event order, shapes and framing', async () => {
    const fake = await start({ name: 'alpha', deltas: 4 });
    const reply = await post(fake, STREAM, '/v1/messages?beta=true');

    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(reply.headers['request-id']).toMatch(/^req_\w+$/);
    expect(reply.headers['anthropic-ratelimit-requests-remaining']).toMatch(/^\d+$/);
    // Every byte belongs to an `event: X\ndata: {...}\n\n` frame.
    expect(reply.body).toMatch(/^(event: [a-z_]+\ndata: \{[^\n]*\}\n\n)+$/);

    const events = sseEvents(reply.body);
    expect(names(events)).toEqual(WHOLE_STREAM(4));
    for (const event of events) expect(event.data).toMatchObject({ type: event.event });
    expect(events[0]?.data).toEqual({
      type: 'message_start',
      message: {
        id: expect.stringMatching(/^msg_\w+$/),
        type: 'message',
        role: 'assistant',
        model: 'claude-test-1',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: expect.objectContaining({ input_tokens: expect.any(Number), output_tokens: 1 }),
      },
    });
    expect(events[1]?.data).toEqual({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    for (const delta of events.slice(3, 7)) expect(delta.data).toMatchObject({ index: 0, delta: { type: 'text_delta', text: expect.any(String) } });
    expect(deltaText(events)).toBe('Hello from alpha.');
    expect(fake.replyText).toBe('Hello from alpha.');
    expect(events[7]?.data).toEqual({ type: 'content_block_stop', index: 0 });
    expect(events[8]?.data).toEqual({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 4 } });
  });

  it('gives each message its own id', async () => {
    const fake = await start();
    const [a, b] = await Promise.all([post(fake, STREAM), post(fake, STREAM)]);
    const id = (r: Reply): unknown => (sseEvents(r.body)[0]?.data as { message: { id: string } }).message.id;
    expect(id(a!)).not.toBe(id(b!));
    expect(a!.headers['request-id']).not.toBe(b!.headers['request-id']);
  });

  it('pads the text so every delta carries some when deltas outnumber the greeting', async () => {
    const fake = await start({ name: 'b', deltas: 40 });
    const events = sseEvents((await post(fake, STREAM)).body);
    const deltas = events.filter((e) => e.event === 'content_block_delta');
    expect(deltas).toHaveLength(40);
    for (const d of deltas) expect((d.data as { delta: { text: string } }).delta.text).not.toBe('');
    expect(deltaText(events)).toMatch(/^Hello from b\./);
  });

  it('answers a non-streaming request with a message object carrying the same text', async () => {
    const fake = await start({ name: 'beta' });
    const reply = await post(fake, MESSAGE);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.headers['request-id']).toMatch(/^req_/);
    expect(json(reply)).toEqual({
      id: expect.stringMatching(/^msg_/),
      type: 'message',
      role: 'assistant',
      model: 'claude-test-1',
      content: [{ type: 'text', text: 'Hello from beta.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: expect.objectContaining({ input_tokens: expect.any(Number), output_tokens: 8 }),
    });
  });

  it('counts tokens, more for a longer body', async () => {
    const fake = await start();
    const short = json(await post(fake, MESSAGE, '/v1/messages/count_tokens'));
    const long = json(await post(fake, { ...MESSAGE, messages: [{ role: 'user', content: 'x'.repeat(4000) }] }, '/v1/messages/count_tokens'));
    expect(short).toEqual({ input_tokens: expect.any(Number) });
    expect(short['input_tokens']).toBeGreaterThan(0);
    expect(long['input_tokens']).toBeGreaterThan((short['input_tokens'] as number) + 900);
  });

  it('lists models as a page', async () => {
    const fake = await start();
    const reply = await send(`${fake.url}/v1/models`);
    expect(reply.status).toBe(200);
    const page = json(reply) as { data: { id: string }[]; has_more: boolean; first_id: string; last_id: string };
    expect(page.data.length).toBeGreaterThan(0);
    for (const model of page.data) {
      expect(model).toEqual({ type: 'model', id: expect.stringMatching(/^claude-/), display_name: expect.any(String), created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    }
    expect(page).toMatchObject({ has_more: false, first_id: page.data[0]?.id, last_id: page.data.at(-1)?.id });
  });

  it('answers GET and HEAD /api/hello', async () => {
    const fake = await start();
    expect((await send(`${fake.url}/api/hello`)).status).toBe(200);
    const head = await send(`${fake.url}/api/hello`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('answers unknown paths and methods with an Anthropic 404', async () => {
    const fake = await start();
    for (const [method, path] of [
      ['GET', '/v2/whatever'],
      ['GET', '/v1/messages'],
      ['POST', '/v1/models'],
    ] as const) {
      const reply = await send(fake.url + path, { method });
      expect(reply.status).toBe(404);
      expect(json(reply)).toEqual({ type: 'error', error: { type: 'not_found_error', message: expect.any(String) }, request_id: reply.headers['request-id'] });
    }
  });

  it('rejects a bad body with a 400 naming the field', async () => {
    const fake = await start();
    const cases: [body: string, mentions: string][] = [
      ['{"model":', 'JSON'],
      ['[1,2]', 'object'],
      [JSON.stringify({ max_tokens: 1, messages: [] }), 'model'],
      [JSON.stringify({ model: 'm', max_tokens: 1 }), 'messages'],
      [JSON.stringify({ model: 'm', messages: [] }), 'max_tokens'],
      [JSON.stringify({ model: 'm', messages: 'hi', max_tokens: 1 }), 'messages'],
    ];
    for (const [body, mentions] of cases) {
      const reply = await send(`${fake.url}/v1/messages`, { method: 'POST', headers: JSON_HEADERS, body });
      expect(reply.status, body).toBe(400);
      const error = json(reply)['error'] as { type: string; message: string };
      expect(error.type).toBe('invalid_request_error');
      expect(error.message).toContain(mentions);
    }
  });

  it('enforces the API key via x-api-key or a Bearer token, but not on /api/hello', async () => {
    const fake = await start({ apiKey: 'sk-test' });
    const missing = await post(fake, MESSAGE);
    expect(missing.status).toBe(401);
    expect(json(missing)['error']).toEqual({ type: 'authentication_error', message: expect.any(String) });
    expect((await post(fake, MESSAGE, '/v1/messages', { 'x-api-key': 'sk-wrong' })).status).toBe(401);
    expect((await post(fake, MESSAGE, '/v1/messages', { authorization: 'Bearer sk-wrong' })).status).toBe(401);
    expect((await send(`${fake.url}/v1/models`)).status).toBe(401);

    expect((await post(fake, MESSAGE, '/v1/messages', { 'x-api-key': 'sk-test' })).status).toBe(200);
    expect((await post(fake, MESSAGE, '/v1/messages', { authorization: 'Bearer sk-test' })).status).toBe(200);
    expect((await send(`${fake.url}/api/hello`)).status).toBe(200);
  });
});

describe('FakeAnthropic recording', () => {
  it('records method, url with query, headers and the body byte for byte', async () => {
    const fake = await start();
    const body = Buffer.from(JSON.stringify({ ...STREAM, messages: [{ role: 'user', content: 'héllo 🌍 \u0000' }] }));
    await send(`${fake.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'anthropic-beta': 'claude-code-20250219,oauth-2025-04-20', 'X-Custom-Case': 'Kept' },
      body,
    });
    expect(fake.received).toHaveLength(1);
    const [seen] = fake.received;
    expect(seen).toMatchObject({ method: 'POST', url: '/v1/messages?beta=true', aborted: false });
    expect(seen?.headers['anthropic-beta']).toBe('claude-code-20250219,oauth-2025-04-20');
    expect(seen?.rawHeaders).toContain('X-Custom-Case');
    expect(seen?.body.equals(body)).toBe(true);
  });

  it('records nothing when recording is off, and clearReceived forgets', async () => {
    const fake = await start({ record: false });
    await post(fake, MESSAGE);
    expect(fake.received).toEqual([]);
    expect(fake.requestCount).toBe(1);
    fake.record = true;
    await post(fake, MESSAGE);
    expect(fake.received).toHaveLength(1);
    fake.clearReceived();
    expect(fake.received).toEqual([]);
  });

  it('marks a request aborted when the client goes away mid-stream, and the server lets go of the socket', async () => {
    const fake = await start({ chunkDelayMs: 30 });
    // node:http rather than fetch: undici opens a spare connection after an abort, which would muddy the socket count.
    const firstChunk = await new Promise<string>((resolve, reject) => {
      const req = request(`${fake.url}/v1/messages`, { method: 'POST', headers: JSON_HEADERS, agent: false });
      req.once('error', () => undefined); // our own destroy below
      req.once('response', (res) => {
        res.once('data', (chunk: Buffer) => {
          req.destroy();
          resolve(chunk.toString('utf8'));
        });
      });
      req.once('close', () => reject(new Error('closed before the first event')));
      req.end(JSON.stringify(STREAM));
    });
    expect(firstChunk).toContain('event: message_start');
    await vi.waitFor(() => expect(fake.received[0]?.aborted).toBe(true));
    await vi.waitFor(() => expect(fake.openSockets()).toBe(0));
  });

  it('does not mark a completed request aborted', async () => {
    const fake = await start({ chunkDelayMs: 1 });
    await post(fake, STREAM);
    expect(fake.received[0]?.aborted).toBe(false);
  });
});

describe('FakeAnthropic faults', () => {
  it('refuse: drops open connections and refuses new ones until cleared, then serves on the same port', async () => {
    const fake = await start();
    const agent = new Agent({ keepAlive: true });
    try {
      expect((await send(`${fake.url}/api/hello`, { agent })).status).toBe(200);
      expect(fake.openSockets()).toBe(1);

      await fake.setFault({ kind: 'refuse' }, { times: 1 });
      await vi.waitFor(() => expect(fake.openSockets()).toBe(0));
      await expect(send(`${fake.url}/api/hello`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      // times does not end a refusal
      await expect(send(`${fake.url}/api/hello`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await expect(fetch(`${fake.url}/api/hello`)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });

      await fake.clearFault();
      expect((await post(fake, MESSAGE)).status).toBe(200);
      expect(new URL(fake.url).port).toBe(String(fake.port));
    } finally {
      agent.destroy();
    }
  });

  it('hang: never answers, so only the client timeout ends the request', async () => {
    const fake = await start();
    await fake.setFault({ kind: 'hang' });
    const attempt = fetch(`${fake.url}/v1/messages`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(STREAM), signal: AbortSignal.timeout(150) });
    await expect(attempt).rejects.toMatchObject({ name: 'TimeoutError' });
    await vi.waitFor(() => expect(fake.received[0]?.aborted).toBe(true));
  });

  it('slow_first_byte: answers normally after the delay', async () => {
    const fake = await start();
    await fake.setFault({ kind: 'slow_first_byte', delayMs: 200 });
    const t0 = performance.now();
    const reply = await post(fake, STREAM);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
    expect(reply.status).toBe(200);
    expect(names(sseEvents(reply.body))).toEqual(WHOLE_STREAM(8));
  });

  it('status: Anthropic error types, request-id, and retry-after only when asked', async () => {
    const fake = await start();
    const expected: [number, string][] = [
      [400, 'invalid_request_error'],
      [401, 'authentication_error'],
      [403, 'permission_error'],
      [404, 'not_found_error'],
      [413, 'request_too_large'],
      [422, 'api_error'],
      [429, 'rate_limit_error'],
      [500, 'api_error'],
      [502, 'api_error'],
      [503, 'api_error'],
      [504, 'api_error'],
      [529, 'overloaded_error'],
    ];
    for (const [status, type] of expected) {
      await fake.setFault({ kind: 'status', status });
      const reply = await post(fake, STREAM);
      expect(reply.status).toBe(status);
      expect(reply.headers['content-type']).toBe('application/json');
      expect(reply.headers['request-id']).toMatch(/^req_/);
      expect(reply.headers['retry-after']).toBeUndefined();
      expect(json(reply)).toEqual({ type: 'error', error: { type, message: expect.any(String) }, request_id: reply.headers['request-id'] });
    }
    await fake.setFault({ kind: 'status', status: 503, retryAfterSeconds: 7 });
    expect((await post(fake, MESSAGE)).headers['retry-after']).toBe('7');
  });

  it('overloaded, rate_limited and unauthorized: their statuses and headers', async () => {
    const fake = await start();
    await fake.setFault({ kind: 'overloaded' });
    const overloaded = await post(fake, STREAM);
    expect(overloaded.status).toBe(529);
    expect(json(overloaded)['error']).toEqual({ type: 'overloaded_error', message: 'Overloaded' });

    await fake.setFault({ kind: 'rate_limited', retryAfterSeconds: 30 });
    const limited = await post(fake, STREAM);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('30');
    const reset = Date.parse(String(limited.headers['anthropic-ratelimit-requests-reset']));
    expect(reset).toBeGreaterThan(Date.now() + 20_000);
    expect((json(limited)['error'] as { type: string }).type).toBe('rate_limit_error');

    await fake.setFault({ kind: 'unauthorized' });
    const unauthorized = await post(fake, STREAM);
    expect(unauthorized.status).toBe(401);
    expect((json(unauthorized)['error'] as { type: string }).type).toBe('authentication_error');
  });

  it('sse_error_first: a 200 stream whose first and only event is an overloaded error; 529 without streaming', async () => {
    const fake = await start();
    await fake.setFault({ kind: 'sse_error_first' });
    const streamed = await post(fake, STREAM);
    expect(streamed.status).toBe(200);
    expect(streamed.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(streamed.error).toBeUndefined();
    expect(streamed.body).toBe('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n');

    const plain = await post(fake, MESSAGE);
    expect(plain.status).toBe(529);
    expect((json(plain)['error'] as { type: string }).type).toBe('overloaded_error');
  });

  it('reset_mid_stream: the client gets N events, then a connection reset', async () => {
    const fake = await start();
    await fake.setFault({ kind: 'reset_mid_stream', afterEvents: 3 });
    const reply = await post(fake, STREAM);
    expect(reply.status).toBe(200);
    expect(reply.error?.code).toBe('ECONNRESET');
    expect(names(sseEvents(reply.body))).toEqual(['message_start', 'content_block_start', 'ping']);
    expect(fake.received[0]?.aborted).toBe(false); // the fake hung up, not the client
  });

  it('reset_mid_stream without streaming: half a JSON body, then a reset', async () => {
    const fake = await start();
    await fake.setFault({ kind: 'reset_mid_stream', afterEvents: 0 });
    const reply = await post(fake, MESSAGE);
    expect(reply.status).toBe(200);
    expect(reply.error?.code).toBe('ECONNRESET');
    expect(reply.body).toMatch(/^\{"id":"msg_/);
    expect(() => JSON.parse(reply.body) as unknown).toThrow();
  });

  it('cut_stream: N events, then a clean end without message_stop', async () => {
    const fake = await start();
    await fake.setFault({ kind: 'cut_stream', afterEvents: 4 }, { times: 1 });
    const cut = await post(fake, STREAM);
    expect(cut.status).toBe(200);
    expect(cut.error).toBeUndefined();
    expect(names(sseEvents(cut.body))).toEqual(['message_start', 'content_block_start', 'ping', 'content_block_delta']);

    await fake.setFault({ kind: 'cut_stream', afterEvents: 1000 });
    const nearlyAll = await post(fake, STREAM);
    expect(nearlyAll.error).toBeUndefined();
    expect(names(sseEvents(nearlyAll.body))).toEqual(WHOLE_STREAM(8).slice(0, -1));
  });

  it('slow_drip: every event arrives, paced out over separate reads', async () => {
    const fake = await start({ deltas: 3 });
    await fake.setFault({ kind: 'slow_drip', intervalMs: 15 });
    const t0 = performance.now();
    const reply = await post(fake, STREAM);
    const events = sseEvents(reply.body);
    expect(names(events)).toEqual(WHOLE_STREAM(3));
    expect(reply.chunks).toBeGreaterThan(events.length / 2);
    expect(performance.now() - t0).toBeGreaterThanOrEqual((events.length - 1) * 15 * 0.8);
  });

  it('waits for drain when the client stops reading, and still delivers everything in order', async () => {
    // ~19 MB of events: more than loopback socket buffers can absorb, so a stalled reader must stall the writer.
    const deltas = 200_000;
    const fake = await start({ deltas });
    await fake.setFault({ kind: 'slow_drip', intervalMs: 0 }); // the event-by-event path, without pauses
    const write = vi.spyOn(ServerResponse.prototype, 'write');
    try {
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = request(`${fake.url}/v1/messages`, { method: 'POST', headers: JSON_HEADERS, agent: false });
        req.once('error', reject);
        req.once('response', (response) => {
          response.pause();
          resolve(response);
        });
        req.end(JSON.stringify(STREAM));
      });
      let writes = -1;
      await vi.waitFor(
        () => {
          const now = write.mock.calls.length;
          const stalled = now === writes;
          writes = now;
          expect(stalled).toBe(true);
        },
        { interval: 50, timeout: 3000 },
      );
      // Had the writer ignored write() === false, every event would already have been written.
      expect(writes).toBeLessThan(deltas / 2);
      expect(write.mock.results.some((r) => r.value === false)).toBe(true);

      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      const ended = new Promise((resolve) => res.once('end', resolve));
      res.resume(); // an explicitly paused stream stays paused when a 'data' listener is added
      await ended;
      const events = sseEvents(Buffer.concat(chunks).toString('utf8'));
      expect(events).toHaveLength(deltas + 6);
      expect(events.at(-1)?.event).toBe('message_stop');
      expect(deltaText(events)).toBe(fake.replyText);
    } finally {
      write.mockRestore();
    }
  });

  it('times: the fault covers the next N requests, then the fake is healthy again', async () => {
    const fake = await start();
    await fake.setFault({ kind: 'status', status: 503 }, { times: 2 });
    expect((await post(fake, MESSAGE)).status).toBe(503);
    expect((await send(`${fake.url}/api/hello`)).status).toBe(503);
    expect((await post(fake, MESSAGE)).status).toBe(200);
  });

  it('times: stream faults wait for a messages request; other routes neither see nor use them up', async () => {
    const fake = await start();
    await fake.setFault({ kind: 'cut_stream', afterEvents: 2 }, { times: 1 });
    expect((await send(`${fake.url}/v1/models`)).status).toBe(200);
    expect((await post(fake, { model: 'm' })).status).toBe(400);
    expect(names(sseEvents((await post(fake, STREAM)).body))).toHaveLength(2);
    expect(names(sseEvents((await post(fake, STREAM)).body))).toEqual(WHOLE_STREAM(8));
  });

  it('clearFault ends a fault set without times', async () => {
    const fake = await start();
    await fake.setFault({ kind: 'overloaded' });
    expect((await post(fake, MESSAGE)).status).toBe(529);
    expect((await post(fake, MESSAGE)).status).toBe(529);
    await fake.clearFault();
    expect((await post(fake, MESSAGE)).status).toBe(200);
  });

  it('rejects nonsense fault parameters at the call', async () => {
    const fake = await start();
    expect(() => fake.setFault({ kind: 'cut_stream', afterEvents: -1 })).toThrow(RangeError);
    expect(() => fake.setFault({ kind: 'status', status: 42 })).toThrow(RangeError);
    expect(() => fake.setFault({ kind: 'hang' }, { times: 0 })).toThrow(RangeError);
    await expect(FakeAnthropic.start({ deltas: 0 })).rejects.toThrow(RangeError);
  });
});
