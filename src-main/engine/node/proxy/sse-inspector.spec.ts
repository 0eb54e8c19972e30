import { describe, expect, it } from 'vitest';
import { StreamTail, inspectFirstEvent, isEventStream } from './sse-inspector.js';

describe('inspectFirstEvent', () => {
  it('waits for a whole event', () => {
    expect(inspectFirstEvent('event: message_start\ndata: {"type":"mess')).toEqual({ complete: false });
  });

  it('passes a normal first event and flags an error event', () => {
    expect(inspectFirstEvent('event: message_start\ndata: {"type":"message_start"}\n\nevent: ping')).toEqual({ complete: true, isError: false });
    expect(inspectFirstEvent('event: error\ndata: {"type":"error","error":{"type":"overloaded_error"}}\n\n')).toEqual({ complete: true, isError: true });
  });

  it('flags an error given only as data, and handles CRLF framing', () => {
    expect(inspectFirstEvent('data: {"type":"error","error":{}}\r\n\r\n')).toEqual({ complete: true, isError: true });
  });
});

describe('StreamTail', () => {
  it('sees message_stop at the end even when it is split across chunks', () => {
    const tail = new StreamTail();
    tail.push(Buffer.from('x'.repeat(2_000)));
    tail.push(Buffer.from('event: message_st'));
    tail.push(Buffer.from('op\ndata: {"type":"message_stop"}\n\n'));
    expect(tail.endedWithMessageStop()).toBe(true);
  });

  it('does not see a stop that is not there, nor one long before the end', () => {
    const tail = new StreamTail();
    tail.push(Buffer.from('event: message_stop\n\n'));
    tail.push(Buffer.from('y'.repeat(600)));
    expect(tail.endedWithMessageStop()).toBe(false);
  });
});

describe('isEventStream', () => {
  it('matches text/event-stream with parameters', () => {
    expect(isEventStream('text/event-stream; charset=utf-8')).toBe(true);
    expect(isEventStream('application/json')).toBe(false);
    expect(isEventStream(undefined)).toBe(false);
  });
});
