import { formatSseEvent } from './sse.js';

// Appended when a server asks for more deltas than its greeting has characters,
// so every text_delta still carries text (Anthropic never streams empty deltas).
const FILLER = ' This is a canned reply from a fake upstream.';

/** The text every reply of a server named `name` carries: `Hello from NAME.`, padded when `deltas` needs more characters. */
export function replyText(name: string, deltas: number): string {
  const greeting = `Hello from ${name}.`;
  const missing = deltas - Array.from(greeting).length;
  return missing > 0 ? greeting + FILLER.repeat(Math.ceil(missing / FILLER.length)) : greeting;
}

/** Splits into `parts` contiguous pieces whose lengths differ by at most one, never inside a surrogate pair. */
function splitEvenly(text: string, parts: number): string[] {
  const chars = Array.from(text);
  const pieces: string[] = [];
  for (let i = 0; i < parts; i++) {
    pieces.push(chars.slice(Math.floor((i * chars.length) / parts), Math.floor(((i + 1) * chars.length) / parts)).join(''));
  }
  return pieces;
}

function usage(inputTokens: number, outputTokens: number): string {
  return `{"input_tokens":${inputTokens},"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":${outputTokens},"service_tier":"standard"}`;
}

/**
 * One server's reply, rendered once at start-up: only the message id, the
 * echoed model and the input token count vary per request, so serving a
 * request is a couple of string joins and buffer writes.
 */
export class CannedReply {
  /** The reply's whole text. */
  readonly text: string;
  readonly outputTokens: number;
  /** The wire bytes of every streamed event after `message_start`, one buffer per event (for paced streams). */
  readonly tailEvents: readonly Buffer[];
  /** `tailEvents` joined, for the unpaced fast path. */
  readonly tail: Buffer;
  /** Events in a whole stream, `message_start` included. */
  readonly eventCount: number;
  private readonly messageSuffix: string;

  constructor(name: string, deltas: number) {
    this.text = replyText(name, deltas);
    this.outputTokens = deltas;
    const events = [
      formatSseEvent('content_block_start', '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}'),
      // Anthropic's own ping carries a space after the colon; keeping it catches proxies that re-serialize instead of passing bytes through.
      formatSseEvent('ping', '{"type": "ping"}'),
      ...splitEvenly(this.text, deltas).map((piece) =>
        formatSseEvent('content_block_delta', `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":${JSON.stringify(piece)}}}`),
      ),
      formatSseEvent('content_block_stop', '{"type":"content_block_stop","index":0}'),
      formatSseEvent('message_delta', `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":${deltas}}}`),
      formatSseEvent('message_stop', '{"type":"message_stop"}'),
    ];
    this.tailEvents = events.map((event) => Buffer.from(event));
    this.tail = Buffer.concat(this.tailEvents);
    this.eventCount = events.length + 1;
    this.messageSuffix = `,"content":[{"type":"text","text":${JSON.stringify(this.text)}}],"stop_reason":"end_turn","stop_sequence":null,"usage":`;
  }

  /** The `message_start` event's wire text (real streams put `model` first). */
  messageStart(id: string, model: string, inputTokens: number): string {
    return formatSseEvent(
      'message_start',
      `{"type":"message_start","message":{"model":${JSON.stringify(model)},"id":"${id}","type":"message","role":"assistant","content":[],"stop_reason":null,"stop_sequence":null,"usage":${usage(inputTokens, 1)}}}`,
    );
  }

  /** The non-streaming `message` object as JSON text. */
  message(id: string, model: string, inputTokens: number): string {
    return `{"id":"${id}","type":"message","role":"assistant","model":${JSON.stringify(model)}${this.messageSuffix}${usage(inputTokens, this.outputTokens)}}`;
  }
}
