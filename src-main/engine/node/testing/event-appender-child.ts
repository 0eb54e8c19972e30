/**
 * A second real process for the event log specs.
 *
 *   event-appender-child.ts <dir> <prefix> <count> [maxEvents] [compactSlack]
 *
 * Prints {"ready":true}, waits for a line on stdin so that both children start
 * together, then appends <count> events whose reason is "<prefix>-<i>".
 */
import { JsonlEventLog } from '../jsonl-event-log.js';

const [dir, prefix, count, maxEvents, compactSlack] = process.argv.slice(2);
if (!dir || !prefix || !count) throw new Error('usage: event-appender-child.ts <dir> <prefix> <count> [maxEvents] [compactSlack]');

const log = new JsonlEventLog({
  dir,
  ...(maxEvents ? { maxEvents: Number(maxEvents) } : {}),
  ...(compactSlack ? { compactSlack: Number(compactSlack) } : {}),
  lockTimeoutMs: 20_000,
});
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
const started = Date.now();
for (let i = 0; i < Number(count); i++) {
  await log.append({
    event_id: `${prefix}-${i}`,
    event_type: 'failover',
    from_config: 'a',
    to_config: 'b',
    reason: `${prefix}-${i}`,
    timestamp: new Date().toISOString(),
    success: true,
  });
}
process.stdout.write(`${JSON.stringify({ started, finished: Date.now() })}\n`);
process.stdin.destroy();
