import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { EngineError } from '../../../src-shared/contract/errors.js';
import { resolveDataDir } from '../../engine/node/data-dir.js';
import { CliError, UsageError } from './args.js';
import type { CliContext } from './context.js';

export const USAGE = `QCC — failover companion for Claude Code

Usage: qcc COMMAND [options]

Configs
  qcc add NAME --base-url URL --api-key KEY [--auth x-api-key|bearer] [--description TEXT]
  qcc list [--json]
  qcc remove NAME
  qcc endpoint add NAME --base-url URL --api-key KEY [--auth x-api-key|bearer]
  qcc endpoint list NAME [--json]
  qcc endpoint update NAME ENDPOINT_ID [--api-key KEY] [--base-url URL] [--auth x-api-key|bearer]
                      [--enable|--disable] [--json]
  qcc endpoint remove NAME ENDPOINT_ID

Priorities and failover
  qcc priority set NAME primary|secondary|fallback|disabled
  qcc priority list [--json]
  qcc priority policy [--auto-failover|--no-auto-failover] [--auto-recovery|--no-auto-recovery]
                      [--failure-threshold N] [--success-threshold N] [--check-interval S]
                      [--cooldown S] [--recovery-delay S] [--max-failovers-per-hour N]
                      [--notify-on-failover|--no-notify-on-failover]
                      [--notify-on-recovery|--no-notify-on-recovery] [--json]
  qcc priority switch NAME [--reason TEXT]
  qcc priority unpin
  qcc priority history [--limit N] [--json]
  qcc health [--json]

Proxy
  qcc proxy start [--foreground] [--port N] [--admin-port N] [--host H --allow-remote]
  qcc proxy stop
  qcc proxy status [--json]
  qcc proxy logs [-f] [-n LINES]
  qcc proxy token

Claude Code
  qcc claude env [--shell posix|fish|powershell]
  qcc claude connect | disconnect
  qcc claude import [--name NAME]

  qcc demo              try failover with fake upstreams, no real key needed

Data directory: $QCC_HOME (default ~/.qcc)`;

type Handler = (argv: string[], context: CliContext) => Promise<void>;

// Loaded on demand: each module pulls in a different part of QCC (the daemon,
// the fake upstreams), and a CLI call should only pay for what it runs.
const COMMANDS: Record<string, () => Promise<Handler>> = {
  add: async () => (await import('./config-commands.js')).addCommand,
  list: async () => (await import('./config-commands.js')).listCommand,
  remove: async () => (await import('./config-commands.js')).removeCommand,
  endpoint: async () => (await import('./config-commands.js')).endpointCommand,
  priority: async () => (await import('./priority-commands.js')).priorityCommand,
  health: async () => (await import('./health-command.js')).healthCommand,
  proxy: async () => (await import('./proxy-commands.js')).proxyCommand,
  claude: async () => (await import('./claude-commands.js')).claudeCommand,
  demo: async () => (await import('./demo-command.js')).demoCommand,
};

/** Runs one CLI invocation; returns the exit code. Errors are one clear line on stderr. */
export async function run(argv: string[], context: CliContext): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    context.err(USAGE);
    return 2;
  }
  if (command === 'help' || command === '--help' || command === '-h') {
    context.out(USAGE);
    return 0;
  }
  if (command === '--version' || command === '-V') {
    const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    context.out(manifest.version);
    return 0;
  }
  const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  try {
    if (!load) throw new UsageError(`unknown command '${command}'`, '');
    await (await load())(rest, context);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      context.err(`qcc${error.command ? ` ${error.command}` : ''}: ${error.message} (see qcc --help)`);
      return 2;
    }
    if (error instanceof CliError || error instanceof EngineError) {
      context.err(`qcc: ${error.message}`);
      return 1;
    }
    context.err(`qcc: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (invokedDirectly || process.env.QCC_CLI_ENTRY === '1') {
  const code = await run(process.argv.slice(2), {
    dataDir: resolveDataDir(),
    home: homedir(),
    env: process.env,
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  });
  process.exitCode = code;
}
