/** One parsed Server-Sent Event: its `event:` name and its `data:` (JSON-decoded when it is JSON). */
export interface SseEvent {
  event: string;
  data: unknown;
}

/**
 * Parses a whole SSE body into events, for tests. Follows the SSE spec where it
 * matters here: CRLF or LF line ends, multi-line `data:` joined with `\n`,
 * comment lines ignored, and an unterminated final block dropped — a client
 * never dispatches it, so a truncated stream must not look complete.
 */
export function sseEvents(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  const blocks = text.replace(/\r\n?/g, '\n').split('\n\n');
  blocks.pop(); // whatever follows the last blank line is unterminated (or empty)
  for (const block of blocks) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length === 0) continue;
    const joined = data.join('\n');
    events.push({ event, data: parseJsonOrText(joined) });
  }
  return events;
}

function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** One event as Anthropic frames it on the wire: `event: NAME\ndata: JSON\n\n`. */
export function formatSseEvent(event: string, json: string): string {
  return `event: ${event}\ndata: ${json}\n\n`;
}
