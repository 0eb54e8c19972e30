import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync, watchFile, unwatchFile } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOrCreateToken } from '../../engine/node/access-token.js';
import { ensureDataDir } from '../../engine/node/data-dir.js';
import { isProcessAlive } from '../../engine/node/process-alive.js';
import { DEFAULT_ADMIN_PORT, DEFAULT_PROXY_PORT, startDaemon } from '../daemon.js';
import { findRunningDaemon, type DaemonState } from '../daemon-state.js';
import { UsageError, intOption, parse } from './args.js';
import { CliError } from './args.js';
import { printJson, type CliContext } from './context.js';
import { formatLogLine } from './log-format.js';

const CLI_MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const START_TIMEOUT_MS = 20_000;

/** `qcc proxy start|stop|status|logs|token` */
export async function proxyCommand(argv: string[], context: CliContext): Promise<void> {
  const [verb, ...rest] = argv;
  switch (verb) {
    case 'start':
      return proxyStart(rest, context);
    case 'stop':
      return proxyStop(rest, context);
    case 'status':
      return proxyStatus(rest, context);
    case 'logs':
      return proxyLogs(rest, context);
    case 'token': {
      parse('proxy token', rest, {}, { min: 0, max: 0, names: '' });
      await ensureDataDir(context.dataDir);
      context.out(await loadOrCreateToken(context.dataDir, 'proxy-token'));
      return;
    }
    default:
      throw new UsageError(verb ? `unknown subcommand '${verb}'` : 'missing subcommand (start, stop, status, logs or token)', 'proxy');
  }
}

const START_FLAGS = {
  foreground: { type: 'boolean' },
  port: { type: 'string' },
  'admin-port': { type: 'string' },
  host: { type: 'string' },
  'allow-remote': { type: 'boolean' },
} as const;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

async function proxyStart(argv: string[], context: CliContext): Promise<void> {
  const { values } = parse('proxy start', argv, START_FLAGS, { min: 0, max: 0, names: '' });
  const port = intOption('proxy start', 'port', values.port, 0, 65_535) ?? DEFAULT_PROXY_PORT;
  const adminPort = intOption('proxy start', 'admin-port', values['admin-port'], 0, 65_535) ?? DEFAULT_ADMIN_PORT;
  const host = values.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host) && !values['allow-remote']) {
    throw new UsageError(`--host ${host} would expose the proxy beyond this machine; add --allow-remote if that is really what you want`, 'proxy start');
  }
  if (!LOOPBACK.has(host)) context.err(`warning: the proxy listens on ${host}; anyone who can reach it and has the proxy token can spend your keys`);
  await ensureDataDir(context.dataDir);

  const running = await findRunningDaemon(context.dataDir);
  if (running) {
    context.out(`QCC proxy is already running: ${running.proxy_url} (pid ${running.pid})`);
    return;
  }
  if (values.foreground) return runForeground(context, { host, port, adminPort });

  // Detached: the same command in the foreground, in its own session, output to the log folder.
  const outFile = join(context.dataDir, 'logs', 'daemon.out');
  await ensureDataDir(join(context.dataDir, 'logs'));
  const out = openSync(outFile, 'a', 0o600);
  const args = ['--import', import.meta.resolve('tsx'), CLI_MAIN, 'proxy', 'start', '--foreground', '--port', String(port), '--admin-port', String(adminPort), '--host', host];
  if (values['allow-remote']) args.push('--allow-remote');
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', out, out],
    // QCC_DAEMON_DETACHED keeps the token-bearing dashboard link out of daemon.out; this process prints it.
    env: { ...context.env, QCC_HOME: context.dataDir, QCC_DAEMON_DETACHED: '1' },
  });
  closeSync(out);
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? 1));
  child.unref();

  const started = Date.now();
  while (Date.now() - started < START_TIMEOUT_MS) {
    const state = await findRunningDaemon(context.dataDir);
    if (state && state.pid === child.pid) {
      printStarted(context, state, await dashboardUrl(context, state));
      return;
    }
    if (exited !== null) throw new CliError(`the QCC daemon did not start: ${lastLines(outFile, 3) || `exit code ${exited}`}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new CliError(`the QCC daemon did not answer within ${START_TIMEOUT_MS / 1_000} s; see ${outFile}`);
}

async function runForeground(context: CliContext, options: { host: string; port: number; adminPort: number }): Promise<void> {
  const daemon = await startDaemon({
    dataDir: context.dataDir,
    host: options.host,
    port: options.port,
    adminPort: options.adminPort,
    onNotification: (notification) => context.out(`🔔 ${notification.title}: ${notification.body}`),
  });
  const state = { pid: process.pid, proxy_url: daemon.proxyUrl, admin_url: daemon.adminUrl, started_at: '' };
  const detached = context.env.QCC_DAEMON_DETACHED === '1';
  printStarted(context, state, detached ? `${daemon.adminUrl} (the link with access: qcc proxy status)` : daemon.dashboardUrl);
  context.out('Press Ctrl-C to stop.');
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      context.out(`\n${signal}: stopping…`);
      void daemon.stop().then(() => {
        context.out('✓ QCC proxy stopped');
        resolve();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

function printStarted(context: CliContext, state: DaemonState, dashboard: string): void {
  context.out(`✓ QCC proxy started: ${state.proxy_url}  (pid ${state.pid})`);
  context.out(`✓ Health monitor running`);
  context.out(`  Dashboard: ${dashboard}`);
  context.out(`  Point Claude Code at it: qcc claude connect   (or: eval "$(qcc claude env)")`);
}

async function dashboardUrl(context: CliContext, state: DaemonState): Promise<string> {
  return `${state.admin_url}/#token=${await loadOrCreateToken(context.dataDir, 'admin-token')}`;
}

async function proxyStop(argv: string[], context: CliContext): Promise<void> {
  parse('proxy stop', argv, {}, { min: 0, max: 0, names: '' });
  const state = await findRunningDaemon(context.dataDir);
  if (!state) {
    context.out('QCC proxy is not running.');
    return;
  }
  process.kill(state.pid, 'SIGTERM');
  const started = Date.now();
  while (isProcessAlive(state.pid)) {
    if (Date.now() - started > 15_000) throw new CliError(`pid ${state.pid} did not stop within 15 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  context.out(`✓ QCC proxy stopped (pid ${state.pid})`);
}

async function proxyStatus(argv: string[], context: CliContext): Promise<void> {
  const { values } = parse('proxy status', argv, { json: { type: 'boolean' } }, { min: 0, max: 0, names: '' });
  const state = await findRunningDaemon(context.dataDir);
  const dashboard = state ? await dashboardUrl(context, state) : null;
  if (values.json) {
    printJson(context, {
      running: state !== null,
      url: state?.proxy_url ?? null,
      pid: state?.pid ?? null,
      dashboard_url: dashboard,
      admin_url: state?.admin_url ?? null,
      started_at: state?.started_at ?? null,
    });
    return;
  }
  if (!state) {
    context.out('QCC proxy is not running. Start it: qcc proxy start');
    return;
  }
  context.out(`QCC proxy is running: ${state.proxy_url}  (pid ${state.pid}, since ${state.started_at})`);
  context.out(`  Dashboard: ${dashboard}`);
}

async function proxyLogs(argv: string[], context: CliContext): Promise<void> {
  const { values } = parse('proxy logs', argv, { follow: { type: 'boolean', short: 'f' }, lines: { type: 'string', short: 'n' } }, { min: 0, max: 0, names: '' });
  const count = intOption('proxy logs', 'lines', values.lines, 1, 100_000) ?? 50;
  const file = join(context.dataDir, 'logs', 'qcc.log');
  const text = readOrEmpty(file);
  const lines = text.split('\n').filter(Boolean).slice(-count);
  if (lines.length === 0 && !values.follow) context.out(`No log yet (${file}).`);
  for (const line of lines) context.out(formatLogLine(line));
  if (!values.follow) return;

  let offset = Buffer.byteLength(text);
  await new Promise<void>((resolve) => {
    const poll = () => {
      const size = statOrZero(file);
      if (size < offset) offset = 0; // rotated
      if (size === offset) return;
      const fresh = readFileSync(file).subarray(offset).toString('utf8');
      offset = size;
      for (const line of fresh.split('\n').filter(Boolean)) context.out(formatLogLine(line));
    };
    watchFile(file, { interval: 300 }, poll);
    process.once('SIGINT', () => {
      unwatchFile(file, poll);
      resolve();
    });
  });
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function statOrZero(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function lastLines(file: string, count: number): string {
  return readOrEmpty(file).trim().split('\n').slice(-count).join(' / ');
}
