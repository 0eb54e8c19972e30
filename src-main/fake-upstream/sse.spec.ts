import { describe, expect, it } from 'vitest';
import { formatSseEvent, sseEvents } from './sse.js';

describe('sseEvents', () => {
  it('parses named events with JSON data', () => {
    const body = formatSseEvent('ping', '{"type": "ping"}') + formatSseEvent('message_stop', '{"type":"message_stop"}');
    expect(sseEvents(body)).toEqual([
      { event: 'ping', data: { type: 'ping' } },
      { event: 'message_stop', data: { type: 'message_stop' } },
    ]);
  });

  it('handles CRLF, comments, multi-line data, the default event name and non-JSON data', () => {
    const body = ': keep-alive\r\n\r\nevent: a\r\ndata: {"x":\r\ndata: 1}\r\n\r\ndata: plain text\n\n';
    expect(sseEvents(body)).toEqual([
      { event: 'a', data: { x: 1 } },
      { event: 'message', data: 'plain text' },
    ]);
  });

  it('drops an unterminated final event, as a client would', () => {
    expect(sseEvents('event: a\ndata: {}\n\nevent: b\ndata: {}\n')).toEqual([{ event: 'a', data: {} }]);
    expect(sseEvents('')).toEqual([]);
  });
});
