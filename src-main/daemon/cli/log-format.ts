/** One log line for humans: time, then what happened. Unknown shapes are shown as they are. */
export function formatLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof entry.time === 'string' ? entry.time.replace('T', ' ').replace('Z', '') : '';
  switch (entry.kind) {
    case 'request':
      return `${time}  ${entry.method} ${entry.path} → ${entry.status}  ${entry.config ?? '-'}/${entry.endpoint_id ?? '-'}  ${entry.attempts} attempt(s)  ${entry.latency_ms} ms${entry.streamed ? '  stream' : ''}${entry.error ? `  (${entry.error})` : ''}`;
    case 'decision':
      return `${time}  ${String(entry.event_type).toUpperCase()} ${entry.from_config ?? '-'} → ${entry.to_config ?? '-'}: ${entry.reason}`;
    case 'health':
      return `${time}  endpoint ${entry.config}/${entry.endpoint_id}: ${entry.from} → ${entry.to}${entry.cause ? ` (${entry.cause})` : ''}`;
    case 'notification':
      return `${time}  🔔 ${entry.title}: ${entry.body}`;
    default: {
      const { time: _time, kind, ...rest } = entry;
      return `${time}  ${String(kind)} ${JSON.stringify(rest)}`;
    }
  }
}
