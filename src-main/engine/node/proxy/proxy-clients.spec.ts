import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { PROXY_TOKEN, ProxyHarness } from './testing/proxy-harness.js';

// The official SDK as the client, as Claude Code would be: with its own
// retries off, so any error the proxy let through would surface.

let h: ProxyHarness;
afterEach(async () => {
  await h?.stop();
});

function sdk(): Anthropic {
  return new Anthropic({ apiKey: PROXY_TOKEN, baseURL: h.proxy.url, maxRetries: 0 });
}

const REQUEST = { model: 'claude-sonnet-4-6', max_tokens: 64, messages: [{ role: 'user' as const, content: 'Say hi' }] };

describe('@anthropic-ai/sdk through the proxy', () => {
  it('non-streaming create', async () => {
    h = await ProxyHarness.start([{ name: 'production', tier: 'primary', endpoints: 1 }]);
    const message = await sdk().messages.create(REQUEST);
    expect(message.content[0]).toMatchObject({ type: 'text', text: h.upstream('production-0').replyText });
  });

  it('streaming, with events and the final message', async () => {
    h = await ProxyHarness.start([{ name: 'production', tier: 'primary', endpoints: 1 }]);
    const stream = sdk().messages.stream(REQUEST);
    const deltas: string[] = [];
    stream.on('text', (text) => deltas.push(text));
    const final = await stream.finalMessage();
    expect(deltas.join('')).toBe(h.upstream('production-0').replyText);
    expect(final.stop_reason).toBe('end_turn');
  });

  it('sees no error when the primary fails midway through a run of requests', async () => {
    h = await ProxyHarness.start(
      [
        { name: 'production', tier: 'primary', endpoints: 2 },
        { name: 'backup', tier: 'secondary', endpoints: 1 },
      ],
      { failure_threshold: 2 },
    );
    const client = sdk();
    const servedBy: string[] = [];
    for (let i = 0; i < 24; i++) {
      if (i === 8) {
        await h.upstream('production-0').setFault({ kind: 'overloaded' });
        await h.upstream('production-1').setFault({ kind: 'refuse' });
      }
      if (i === 16) await h.upstream('production-0').setFault({ kind: 'sse_error_first' });
      if (i % 2 === 0) {
        const { data, response } = await client.messages.create(REQUEST).withResponse();
        expect(data.content[0]).toMatchObject({ type: 'text' });
        servedBy.push(response.headers.get('x-qcc-config') ?? '?');
      } else {
        const stream = client.messages.stream(REQUEST);
        const final = await stream.finalMessage();
        expect(final.stop_reason).toBe('end_turn');
        const { response } = await stream.withResponse();
        servedBy.push(response.headers.get('x-qcc-config') ?? '?');
      }
    }
    expect(servedBy.slice(0, 8)).toEqual(Array(8).fill('production'));
    expect(servedBy.slice(8)).toEqual(Array(16).fill('backup'));
    expect(h.engine.activeConfig).toBe('backup');
  });
});
