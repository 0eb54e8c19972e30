/**
 * Runs one fake Anthropic upstream until Ctrl-C:
 *   node --import tsx src-main/fake-upstream/main.ts --port 8787 --name demo [--api-key KEY]
 * Prints the base URL alone on stdout so scripts can read it.
 */
import { parseArgs } from 'node:util';
import { FakeAnthropic } from './fake-anthropic.js';

const USAGE = 'usage: main.ts [--host 127.0.0.1] [--port 0] [--name fake] [--api-key KEY] [--deltas 8] [--chunk-delay-ms 0]';

/** Bad command line: the conventional exit code 2, one clear line and the usage. */
function usageError(message: string): never {
  process.stderr.write(`fake-anthropic: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function integer(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) usageError(`--${flag} must be an integer from ${min} to ${max}, got '${value}'`);
  return n;
}

function parseCommandLine() {
  try {
    return parseArgs({
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        name: { type: 'string' },
        'api-key': { type: 'string' },
        deltas: { type: 'string' },
        'chunk-delay-ms': { type: 'string' },
      },
    }).values;
  } catch (error) {
    // parseArgs already names the offending flag ("Unknown option '--x'").
    usageError(error instanceof Error ? error.message : String(error));
  }
}

const values = parseCommandLine();
const options = {
  host: values.host,
  port: integer('port', values.port, 0, 65_535),
  name: values.name,
  apiKey: values['api-key'] ?? null,
  deltas: integer('deltas', values.deltas, 1, 100_000),
  chunkDelayMs: integer('chunk-delay-ms', values['chunk-delay-ms'], 0, 600_000),
  record: false, // a long-running demo would otherwise grow without bound
};

let fake: FakeAnthropic;
try {
  fake = await FakeAnthropic.start(options);
} catch (error) {
  process.stderr.write(`fake-anthropic: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

process.stdout.write(`${fake.url}\n`);
process.stderr.write(`fake Anthropic '${fake.name}' listening; Ctrl-C stops it\n`);

const shutdown = (): void => {
  void fake.stop().then(() => process.exit(0));
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
