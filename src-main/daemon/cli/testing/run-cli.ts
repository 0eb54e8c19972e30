import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isProcessAlive } from '../../../engine/node/process-alive.js';

// Test helper: runs `bin/qcc.mjs` as a real subprocess against a throwaway
// $QCC_HOME and HOME, the way a user's shell would. No test framework here, so
// it can be shared by every CLI spec.

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const QCC_BIN = join(REPO_ROOT, 'bin', 'qcc.mjs');

/** One finished CLI invocation. */
export interface CliResult {
  /** Exit code; null if the process was killed (see `timedOut`). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** For failure messages: the command line and everything it printed. */
  describe(): string;
}

export interface RunOptions {
  /** Extra environment for this call only (undefined removes a variable). */
  env?: Record<string, string | undefined>;
  /** Kill the process after this long (default 20 s). */
  timeoutMs?: number;
  /** Written to stdin, which is then closed; without it stdin is empty. */
  input?: string;
}

export const DEFAULT_TIMEOUT_MS = 20_000;

/**
 * The host's environment minus anything that would change what QCC does:
 * a developer's own ANTHROPIC_* keys or QCC_* settings must not leak into a test.
 */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('ANTHROPIC_') || key.startsWith('QCC_') || key === 'CLAUDE_CONFIG_DIR') delete env[key];
  }
  return env;
}

/** A CLI process still running, for commands that do not end by themselves (`proxy logs -f`). */
export interface RunningQcc {
  readonly pid: number | undefined;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
  kill(signal: NodeJS.Signals): void;
  /** Resolves when the process has exited (killed with SIGKILL after `timeoutMs`). */
  readonly done: Promise<CliResult>;
}

/** Starts `node bin/qcc.mjs ...args` with exactly `env`; it never outlives `timeoutMs`. */
export function startQcc(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = DEFAULT_TIMEOUT_MS, input?: string): RunningQcc {
  const child = spawn(process.execPath, [QCC_BIN, ...args], { env, cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end(input ?? ''); // Nothing to read: stdin is at its end at once, like /dev/null.
  child.stdin.on('error', () => undefined); // The process may exit before reading it (EPIPE).

  let stdout = '';
  let stderr = '';
  let timedOut = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout,
        stderr,
        timedOut,
        describe: () =>
          `qcc ${args.join(' ')} → ${timedOut ? `timed out after ${timeoutMs} ms` : `exit ${code ?? signal}`}\n--- stdout ---\n${stdout}--- stderr ---\n${stderr}`,
      });
    });
  });
  return {
    pid: child.pid,
    stdout: () => stdout,
    stderr: () => stderr,
    kill: (signal) => child.kill(signal),
    done,
  };
}

/** Runs `node bin/qcc.mjs ...args` with exactly `env` to the end; never outlives `timeoutMs`. */
export function runQcc(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = DEFAULT_TIMEOUT_MS, input?: string): Promise<CliResult> {
  return startQcc(args, env, timeoutMs, input).done;
}

/**
 * Checks the CLI's error contract: exit `code`, nothing on stdout, exactly one
 * line on stderr starting with `qcc`, containing every `mustInclude`. Throws a
 * readable error otherwise (no test framework needed here).
 */
export function assertCliError(result: CliResult, code: number, ...mustInclude: string[]): void {
  const problems: string[] = [];
  if (result.code !== code) problems.push(`exit code ${result.code ?? result.signal}, expected ${code}`);
  const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
  if (lines.length !== 1) problems.push(`${lines.length} lines on stderr, expected exactly 1`);
  else if (!lines[0]?.startsWith('qcc')) problems.push('stderr does not start with "qcc"');
  if (result.stdout.trim() !== '') problems.push('stdout is not empty');
  for (const text of mustInclude) if (!result.stderr.includes(text)) problems.push(`stderr does not mention ${JSON.stringify(text)}`);
  if (problems.length > 0) throw new Error(`${problems.join('; ')}\n${result.describe()}`);
}

/** What a running daemon publishes in `$QCC_HOME/daemon.json`. */
export interface DaemonState {
  pid: number;
  proxy_url: string;
  admin_url: string;
}

/**
 * A fresh $QCC_HOME and HOME (so `~/.claude` and `~/.qcc` are isolated) for
 * one test. `dispose` stops any daemon started in it, by pid if it must.
 */
export class CliSandbox {
  private readonly pids = new Set<number>();

  private constructor(
    /** Everything of this sandbox lives under here. */
    readonly root: string,
    /** $QCC_HOME; not created up front, so the CLI has to create it. */
    readonly qccHome: string,
    /** $HOME. */
    readonly home: string,
  ) {}

  /**
   * @param template another (idle) sandbox whose data directory is copied in, so
   *   a fixture built once with real commands can seed many tests cheaply.
   */
  static async create(template?: CliSandbox): Promise<CliSandbox> {
    const root = await mkdtemp(join(tmpdir(), 'qcc-cli-'));
    const home = join(root, 'home');
    await mkdir(home, { mode: 0o700 });
    const box = new CliSandbox(root, join(root, 'qcc-home'), home);
    if (template) await cp(template.qccHome, box.qccHome, { recursive: true, preserveTimestamps: true });
    return box;
  }

  /** The environment a command runs with: the host's (cleaned), plus this sandbox's QCC_HOME and HOME. */
  env(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...cleanEnv(), QCC_HOME: this.qccHome, HOME: this.home, USERPROFILE: this.home };
    for (const [key, value] of Object.entries(extra)) {
      if (value === undefined) delete env[key];
      else env[key] = value;
    }
    return env;
  }

  run(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
    return runQcc(args, this.env(options.env), options.timeoutMs, options.input);
  }

  /** Starts a command that keeps running (`proxy logs -f`). */
  start(args: readonly string[], options: RunOptions = {}): RunningQcc {
    return startQcc(args, this.env(options.env), options.timeoutMs, options.input);
  }

  /** Runs a command that must succeed; returns its stdout. */
  async ok(args: readonly string[], options: RunOptions = {}): Promise<string> {
    const result = await this.run(args, options);
    if (result.code !== 0) throw new Error(`expected success:\n${result.describe()}`);
    return result.stdout;
  }

  /** Runs a command that must succeed and print one JSON document. */
  async json<T = unknown>(args: readonly string[], options: RunOptions = {}): Promise<T> {
    const stdout = await this.ok(args, options);
    try {
      return JSON.parse(stdout) as T;
    } catch {
      throw new Error(`qcc ${args.join(' ')} did not print JSON:\n${stdout}`);
    }
  }

  /** Remembers a daemon pid so `dispose` can kill it even if `proxy stop` fails. */
  trackPid(pid: number): void {
    this.pids.add(pid);
  }

  /** The daemon's published state, or null. */
  async daemonState(): Promise<DaemonState | null> {
    try {
      return JSON.parse(await readFile(join(this.qccHome, 'daemon.json'), 'utf8')) as DaemonState;
    } catch {
      return null;
    }
  }

  /** Stops any daemon of this sandbox: politely (`qcc proxy stop`), then by pid. */
  async stopDaemons(): Promise<void> {
    const state = await this.daemonState();
    if (state) this.pids.add(state.pid);
    const alive = async () => {
      const ours: number[] = [];
      for (const pid of this.pids) if (isProcessAlive(pid) && (await this.runsHere(pid))) ours.push(pid);
      return ours;
    };
    if ((await alive()).length === 0) return;
    await this.run(['proxy', 'stop'], { timeoutMs: 20_000 }).catch(() => undefined);
    for (const pid of await alive()) killQuietly(pid, 'SIGTERM');
    const deadline = Date.now() + 5_000;
    while ((await alive()).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    for (const pid of await alive()) killQuietly(pid, 'SIGKILL');
  }

  /**
   * Whether `pid` is a process of this sandbox (its environment names our
   * $QCC_HOME), so a recycled pid from a stale daemon.json is never killed.
   * Without /proc (not Linux), trusts the pid.
   */
  private async runsHere(pid: number): Promise<boolean> {
    if (process.platform !== 'linux') return true;
    try {
      const environ = await readFile(`/proc/${pid}/environ`, 'utf8');
      return environ.split('\0').includes(`QCC_HOME=${this.qccHome}`);
    } catch {
      return false; // Gone, or not ours to read.
    }
  }

  async dispose(): Promise<void> {
    try {
      await this.stopDaemons();
    } finally {
      await rm(this.root, { recursive: true, force: true });
    }
  }
}

/** Vitest's `onTestFinished`, as far as these helpers need it (kept framework-free). */
export type OnTestFinished = (fn: () => Promise<void>) => void;

/** A fresh sandbox (a copy of `template` if given), disposed when the test ends; never shared by concurrent tests. */
export async function sandbox(onTestFinished: OnTestFinished, template?: CliSandbox): Promise<CliSandbox> {
  const box = await CliSandbox.create(template);
  onTestFinished(() => box.dispose());
  return box;
}

/**
 * A sandbox seeded once with real commands, by the first test that asks for a
 * copy (so tests that need no seed do not wait for it), then copied into each
 * test's own sandbox. `seed` may return what the tests need to know about it
 * (an endpoint id). Call `dispose` once all tests are done (afterAll).
 */
export class SandboxTemplate<T = void> {
  private built: Promise<{ box: CliSandbox; seed: T }> | undefined;

  constructor(private readonly seed: (box: CliSandbox) => Promise<T>) {}

  /** A fresh copy of the seeded sandbox for one test, disposed when it ends; with what `seed` returned. */
  async copy(onTestFinished: OnTestFinished): Promise<{ box: CliSandbox; seed: T }> {
    this.built ??= (async () => {
      const box = await CliSandbox.create();
      try {
        return { box, seed: await this.seed(box) };
      } catch (error) {
        await box.dispose();
        throw error;
      }
    })();
    const { box: template, seed } = await this.built;
    return { box: await sandbox(onTestFinished, template), seed };
  }

  async dispose(): Promise<void> {
    await (await this.built?.catch(() => undefined))?.box.dispose();
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** Every regular file under `dir`, recursively (symlinks are not followed). */
export async function listFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await listFiles(path)));
    else if (entry.isFile()) found.push(path);
  }
  return found;
}

/** Polls `check` until it returns a value other than undefined, or throws after `timeoutMs` with the last reason. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
