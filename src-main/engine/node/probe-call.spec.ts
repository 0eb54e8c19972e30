import { describe, expect, it } from 'vitest';
import { ProbeCall } from './probe-call.js';

// ProbeCall is the upstream client's handler contract turned into a promise; the client itself is
// tested against real sockets in proxy/upstream, and the prober through it in http-prober.spec.ts.

function started(maxBodyBytes = 8) {
  const call = new ProbeCall(maxBodyBytes);
  let aborts = 0;
  call.onStart(() => aborts++);
  return { call, aborts: () => aborts };
}

describe('ProbeCall', () => {
  it('answers with status, headers and the whole body once the response completes', async () => {
    const { call, aborts } = started();
    call.onHeaders(404, ['content-type', 'text/plain']);
    call.onData(Buffer.from('no '));
    call.onData(Buffer.from('route'));
    call.onComplete();
    const reply = await call.reply;
    expect(reply).toMatchObject({ status: 404, headers: ['content-type', 'text/plain'] });
    expect(reply.body.toString()).toBe('no route');
    expect(reply.headAt).toBeGreaterThan(0);
    expect(aborts()).toBe(0);
  });

  it('stops reading at the cap: answers with the first bytes, drops the upstream request and asks for no more', async () => {
    const { call, aborts } = started(8);
    call.onHeaders(400, []);
    expect(call.onData(Buffer.from('0123'))).toBe(true);
    expect(call.onData(Buffer.from('456789'))).toBe(false);
    expect((await call.reply).body.toString()).toBe('01234567');
    expect(aborts()).toBe(1);
  });

  it('answers with what arrived when the body breaks off after the head', async () => {
    const { call } = started();
    call.onHeaders(500, []);
    call.onData(Buffer.from('par'));
    call.onError(new Error('connection lost'));
    expect((await call.reply).body.toString()).toBe('par');
  });

  it('rejects with the transport error when no head arrived', async () => {
    const { call } = started();
    call.onError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));
    await expect(call.reply).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('on cancel drops the upstream request, rejects with the reason, and ignores what the client says afterwards', async () => {
    const { call, aborts } = started();
    call.cancel(new Error('probe timeout'));
    call.onHeaders(200, []);
    call.onComplete();
    await expect(call.reply).rejects.toThrow('probe timeout');
    expect(aborts()).toBe(1);
  });
});
