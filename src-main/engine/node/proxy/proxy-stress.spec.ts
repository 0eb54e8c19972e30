import { request as httpRequest } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { sseEvents } from '../../../fake-upstream/sse.js';
import { PROXY_TOKEN, ProxyHarness, messageBody } from './testing/proxy-harness.js';

// Load and leak checks over real sockets. Bounded in count and time.

let h: ProxyHarness;
afterEach(async () => {
  await h?.stop();
});

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Starts a stream with node:http, waits for its first bytes, then drops the connection. */
function abortAfterFirstChunk(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(messageBody(true));
    const req = httpRequest(
      `${url}/v1/messages`,
      { method: 'POST', agent: false, headers: { 'x-api-key': PROXY_TOKEN, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
        res.once('error', () => resolve());
      },
    );
    req.on('error', (error) => (req.destroyed ? resolve() : reject(error)));
    req.end(body);
  });
}

describe('client aborts', () => {
  it('1,000 streams aborted mid-way leave no socket or memory behind and no health penalty', async () => {
    h = await ProxyHarness.start([{ name: 'production', tier: 'primary', endpoints: 1 }]);
    const upstream = h.upstream('production-0');
    await upstream.setFault({ kind: 'slow_drip', intervalMs: 20 });

    const runAborts = async (count: number) => {
      const queue = Array.from({ length: count }, (_, i) => i);
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          while (queue.pop() !== undefined) await abortAfterFirstChunk(h.proxy.url);
        }),
      );
    };

    await runAborts(100); // warm-up: pools, JIT, lazily created state
    await expect.poll(() => upstream.openSockets(), { timeout: 5_000 }).toBe(0);
    const heapBefore = heapAfterGc();

    upstream.clearReceived();
    await runAborts(1_000);

    // The upstream saw every request end early, and no socket stays open on either side.
    await expect.poll(() => upstream.received.filter((r) => r.aborted).length, { timeout: 10_000 }).toBe(1_000);
    await expect.poll(() => upstream.openSockets(), { timeout: 5_000 }).toBe(0);
    await expect.poll(() => h.proxy.connectionCount(), { timeout: 5_000 }).toBe(0);
    upstream.clearReceived();
    const growth = heapAfterGc() - heapBefore;
    expect(growth, `heap grew by ${(growth / 1e6).toFixed(1)} MB`).toBeLessThan(8 * 1024 * 1024);
    expect(h.endpointHealth('production-0')).toMatchObject({ consecutive_failures: 0, state: 'closed' });
  }, 60_000);
});

describe('concurrency', () => {
  it('200 concurrent streams while the primary dies: zero client-visible errors', async () => {
    h = await ProxyHarness.start(
      [
        { name: 'production', tier: 'primary', endpoints: 2 },
        { name: 'backup', tier: 'secondary', endpoints: 2 },
      ],
      { failure_threshold: 3 },
    );
    for (const name of ['production-0', 'production-1', 'backup-0', 'backup-1']) h.upstream(name).record = false;
    const client = new Agent({ connections: 256 });
    const streams = Array.from({ length: 200 }, async (_, i) => {
      // Staggered so requests arrive before, during and after the primary's death.
      await new Promise((resolve) => setTimeout(resolve, i * 2));
      const response = await request(`${h.proxy.url}/v1/messages`, {
        method: 'POST',
        dispatcher: client,
        headers: { 'x-api-key': PROXY_TOKEN, 'content-type': 'application/json' },
        body: JSON.stringify(messageBody(true)),
      });
      const text = await response.body.text();
      return { status: response.statusCode, config: response.headers['x-qcc-config'], events: sseEvents(text).map((e) => e.event) };
    });
    // The primary dies while streams are in flight: its new requests get 529 or an SSE error first.
    // (Streams it already committed finish: a dying upstream that cuts them is the reset-mid-stream case.)
    setTimeout(() => {
      void h.upstream('production-0').setFault({ kind: 'overloaded' });
      void h.upstream('production-1').setFault({ kind: 'sse_error_first' });
    }, 150);

    const results = await Promise.all(streams);
    await client.close();
    const failures = results.filter((r) => r.status !== 200 || r.events.at(-1) !== 'message_stop' || r.events.includes('error'));
    expect(failures).toEqual([]);
    const served = new Set(results.map((r) => r.config));
    expect(served).toEqual(new Set(['production', 'backup']));
    expect(h.engine.activeConfig).toBe('backup');
  }, 30_000);
});
