/**
 * Just enough SSE parsing to apply the commit rule (a stream's first event
 * must not be `error`) and to tell a stream that ended without
 * `message_stop` — without buffering or re-parsing the stream itself.
 */

const EVENT_END = /\r?\n\r?\n/;

export type FirstEvent = { complete: false } | { complete: true; isError: boolean };

/** Looks at the bytes held so far; `complete` once the first whole event is there. */
export function inspectFirstEvent(held: string): FirstEvent {
  const match = EVENT_END.exec(held);
  if (!match) return { complete: false };
  const block = held.slice(0, match.index);
  let name = 'message';
  let data = '';
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith('event:')) name = line.slice(6).trim();
    else if (line.startsWith('data:')) data += line.slice(5).trim();
  }
  return { complete: true, isError: name === 'error' || /^\{\s*"type"\s*:\s*"error"/.test(data) };
}

const STOP_MARK = 'message_stop';
const TAIL_BYTES = 512;

/** Keeps the last bytes of a stream, to check at its end that `message_stop` arrived. */
export class StreamTail {
  private tail: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): void {
    this.tail = chunk.length >= TAIL_BYTES ? chunk.subarray(chunk.length - TAIL_BYTES) : Buffer.concat([this.tail, chunk]).subarray(-TAIL_BYTES);
  }

  /** Whether the stream's last event was `message_stop`. */
  endedWithMessageStop(): boolean {
    return this.tail.includes(STOP_MARK);
  }
}

export function isEventStream(contentType: string | string[] | undefined): boolean {
  const value = Array.isArray(contentType) ? contentType[0] : contentType;
  return value !== undefined && value.toLowerCase().includes('text/event-stream');
}
