// Starting the Electron desktop app from a checkout, shared by `npm start` and
// `npm run dev`: can Electron run here (a display, a binary), and if it
// cannot — or it dies before its tray is up — one line saying why, so the
// caller runs the headless daemon instead. The decisions are small pure
// functions (env and platform in, decision out); the rest is process plumbing.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The line the Electron main process prints on stdout once its tray is up. */
export const READY_MARKER = 'qcc-desktop-ready';

/** Signals a terminal or a supervisor sends to stop us; Electron gets them too. */
export const FORWARDED_SIGNALS = /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP']);

const PROJECT_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
// Electron's stderr is held back until its tray is up (Chromium is noisy when it
// fails); if it takes longer than this, show it anyway so a hang is visible.
const STDERR_HOLD_MS = 20_000;
const MAX_REASON_CHARS = 240;

/**
 * Why no window can open here, or null. Only X11/Wayland platforms need a
 * display variable; macOS and Windows always have a window server.
 * @param {{ platform: string, env: Record<string, string | undefined> }} input
 * @returns {string | null}
 */
export function displayProblem({ platform, env }) {
  if (!['linux', 'freebsd', 'openbsd'].includes(platform)) return null;
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return null;
  return 'no display: DISPLAY and WAYLAND_DISPLAY are unset';
}

/**
 * The executable inside an Electron dist folder for `platform` (electron/install.js's table), or null.
 * @param {string} platform
 * @returns {string | null}
 */
export function electronExecutable(platform) {
  switch (platform) {
    case 'darwin':
    case 'mas':
      return 'Electron.app/Contents/MacOS/Electron';
    case 'linux':
    case 'freebsd':
    case 'openbsd':
      return 'electron';
    case 'win32':
      return 'electron.exe';
    default:
      return null;
  }
}

/**
 * @typedef {{ kind: 'found', path: string }
 *   | { kind: 'download', path: string }
 *   | { kind: 'missing', reason: string }} BinaryLocation
 */

/**
 * Where the Electron binary is, the way `require('electron')` resolves it
 * (node_modules/electron/index.js), but deciding instead of downloading:
 * `ELECTRON_OVERRIDE_DIST_PATH` wins and is never downloaded into; otherwise
 * `path.txt` + `dist/`, and when that is absent the one-time download is due.
 * @param {{ platform: string, env: Record<string, string | undefined>, electronDir: string,
 *   pathTxt: string | null, exists: (path: string) => boolean }} input
 * @returns {BinaryLocation}
 */
export function locateElectron({ platform, env, electronDir, pathTxt, exists }) {
  const executable = pathTxt || electronExecutable(platform);
  if (!executable) return { kind: 'missing', reason: `no Electron binary (Electron does not run on ${platform})` };
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const path = join(override, executable);
    return exists(path) ? { kind: 'found', path } : { kind: 'missing', reason: `no Electron binary (ELECTRON_OVERRIDE_DIST_PATH has no ${path})` };
  }
  const path = join(electronDir, 'dist', executable);
  return pathTxt && exists(path) ? { kind: 'found', path } : { kind: 'download', path };
}

/**
 * Extra Electron switches: Chromium refuses to run as root on Linux unless its sandbox is off.
 * @param {{ platform: string, uid: number | undefined }} input
 * @returns {string[]}
 */
export function sandboxArgs({ platform, uid }) {
  return platform === 'linux' && uid === 0 ? ['--no-sandbox'] : [];
}

/**
 * The one line a user sees when the desktop app cannot start.
 * @param {string} reason
 */
export function fallbackLine(reason) {
  return `QCC: the desktop app cannot start here (${reason}); running headless instead.`;
}

/**
 * Why Electron exited before its tray was up.
 * @param {{ code: number | null, signal: string | null, lastStderrLine: string }} exit
 */
export function earlyExitReason({ code, signal, lastStderrLine }) {
  const status = code === null ? `signal ${signal ?? 'unknown'}` : `exit code ${code}`;
  return `Electron could not start (${status}${lastStderrLine ? `: ${clip(lastStderrLine)}` : ''})`;
}

/**
 * Why the one-time download failed, in a few words: fetch hides the useful part in `cause`.
 * @param {unknown} error
 */
export function downloadFailureReason(error) {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : null;
  const message = error instanceof Error ? error.message : String(error);
  return `no Electron binary (download failed: ${clip(cause ?? message)})`;
}

/**
 * The process exit code that reports how a child ended (128 + n for a signal, as shells do).
 * @param {number | null} code
 * @param {string | null} signal
 */
export function exitCodeOf(code, signal) {
  if (code !== null) return code;
  const numbers = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15, SIGKILL: 9 };
  return 128 + (numbers[/** @type {keyof typeof numbers} */ (signal)] ?? 0);
}

/** @param {string} text */
function clip(text) {
  const line = text.trim().replace(/\s+/g, ' ');
  return line.length > MAX_REASON_CHARS ? `${line.slice(0, MAX_REASON_CHARS - 1)}…` : line;
}

/**
 * @typedef {{ ok: true, electronPath: string, args: string[] } | { ok: false, reason: string }} DesktopPlan
 */

/**
 * Decides whether Electron can start here, downloading its binary the first
 * time (with a visible progress line). Never throws: a failure is a reason.
 * @param {{ env?: NodeJS.ProcessEnv, platform?: string, uid?: number, log?: (text: string) => void }} [options]
 * @returns {Promise<DesktopPlan>}
 */
export async function planDesktop({ env = process.env, platform = process.platform, uid = process.getuid?.(), log = (text) => process.stderr.write(text) } = {}) {
  const noDisplay = displayProblem({ platform, env });
  if (noDisplay) return { ok: false, reason: noDisplay };
  const require = createRequire(import.meta.url);
  let electronDir;
  try {
    electronDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { ok: false, reason: 'no Electron binary (the electron package is not installed)' };
  }
  const location = locateElectron({ platform, env, electronDir, pathTxt: readOrNull(join(electronDir, 'path.txt')), exists: existsSync });
  if (location.kind === 'missing') return { ok: false, reason: location.reason };
  if (location.kind === 'download') {
    const failure = await downloadElectron(electronDir, env, log);
    if (failure) return { ok: false, reason: failure };
    const installed = locateElectron({ platform, env, electronDir, pathTxt: readOrNull(join(electronDir, 'path.txt')), exists: existsSync });
    if (installed.kind !== 'found') return { ok: false, reason: 'no Electron binary (downloaded, but the executable is not where path.txt says)' };
    return { ok: true, electronPath: installed.path, args: sandboxArgs({ platform, uid }) };
  }
  return { ok: true, electronPath: location.path, args: sandboxArgs({ platform, uid }) };
}

/**
 * Fetches the Electron zip into @electron/get's cache with our own progress
 * line, then lets electron/install.js extract it from there (its path.txt and
 * layout stay Electron's business). Returns a failure reason, or null.
 * @param {string} electronDir
 * @param {NodeJS.ProcessEnv} env
 * @param {(text: string) => void} log
 * @returns {Promise<string | null>}
 */
async function downloadElectron(electronDir, env, log) {
  const require = createRequire(join(electronDir, 'package.json'));
  const { version } = require('./package.json');
  const showProgress = process.stderr.isTTY;
  log(`Downloading the Electron ${version} binary (one time)…${showProgress ? '' : '\n'}`);
  try {
    const { downloadArtifact } = await import(pathToFileURL(require.resolve('@electron/get')).href);
    let shown = -1;
    await downloadArtifact({
      version,
      artifactName: 'electron',
      platform: env.ELECTRON_INSTALL_PLATFORM || process.platform,
      arch: env.ELECTRON_INSTALL_ARCH || process.arch,
      checksums: require('./checksums.json'),
      cacheRoot: env.electron_config_cache,
      downloadOptions: {
        quiet: true,
        /** @param {{ percent: number }} progress */
        getProgressCallback: (progress) => {
          const percent = Math.floor(progress.percent * 100);
          if (!showProgress || percent === shown) return;
          shown = percent;
          log(`\rDownloading the Electron ${version} binary (one time)… ${percent}%`);
        },
      },
    });
    if (showProgress) log('\n');
  } catch (error) {
    if (showProgress) log('\n');
    return downloadFailureReason(error);
  }
  // The zip is cached now, so install.js only extracts it (no second download).
  const install = spawn(process.execPath, [join(electronDir, 'install.js')], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  install.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise((resolve) => install.on('close', resolve));
  return code === 0 ? null : `no Electron binary (unpacking failed: ${clip(lastLine(stderr) || `exit code ${code}`)})`;
}

/**
 * @typedef {object} DesktopProcess
 * @property {Promise<boolean>} ready resolves true once the tray is up, false if Electron exits first
 * @property {Promise<{ code: number | null, signal: string | null, lastStderrLine: string }>} exited
 * @property {(signal?: NodeJS.Signals) => void} kill
 * @property {number | undefined} pid
 */

/**
 * Runs Electron on this checkout (package.json "main" is the bundled main
 * process). stdout passes through minus the ready marker; stderr is held
 * until the tray is up, then passes through.
 * @param {{ plan: { electronPath: string, args: string[] }, args?: string[], env?: NodeJS.ProcessEnv }} options
 * @returns {DesktopProcess}
 */
export function spawnDesktop({ plan, args = [], env = process.env }) {
  const childEnv = { ...env };
  // Set by tools that run Electron as plain Node; it would make our app a Node script.
  delete childEnv.ELECTRON_RUN_AS_NODE;
  const child = spawn(plan.electronPath, [...plan.args, PROJECT_DIR, ...args], { env: childEnv, stdio: ['inherit', 'pipe', 'pipe'] });

  let isReady = false;
  /** @type {(value: boolean) => void} */
  let settleReady = () => undefined;
  const ready = new Promise((resolve) => (settleReady = resolve));

  let stdoutRest = '';
  child.stdout.on('data', (/** @type {Buffer} */ chunk) => {
    const lines = (stdoutRest + chunk.toString('utf8')).split('\n');
    stdoutRest = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === READY_MARKER) {
        isReady = true;
        releaseStderr();
        settleReady(true);
      } else process.stdout.write(`${line}\n`);
    }
  });

  /** @type {Buffer[] | null} */
  let heldStderr = [];
  let lastStderrLine = '';
  const releaseStderr = () => {
    clearTimeout(holdTimer);
    if (heldStderr) for (const chunk of heldStderr) process.stderr.write(chunk);
    heldStderr = null;
  };
  const holdTimer = setTimeout(releaseStderr, STDERR_HOLD_MS);
  holdTimer.unref();
  child.stderr.on('data', (/** @type {Buffer} */ chunk) => {
    lastStderrLine = lastLine(chunk.toString('utf8')) || lastStderrLine;
    if (heldStderr) heldStderr.push(chunk);
    else process.stderr.write(chunk);
  });

  const exited = new Promise((resolve) => {
    /** @param {Error} error */
    const onError = (error) => {
      clearTimeout(holdTimer);
      settleReady(false);
      resolve({ code: 1, signal: null, lastStderrLine: error.message });
    };
    child.once('error', onError);
    child.once('close', (code, signal) => {
      child.off('error', onError);
      clearTimeout(holdTimer);
      if (stdoutRest && stdoutRest.trim() !== READY_MARKER) process.stdout.write(stdoutRest);
      if (!isReady) heldStderr = null; // summarised by the caller's one line instead
      settleReady(false);
      resolve({ code, signal, lastStderrLine });
    });
  });

  return {
    ready,
    exited,
    pid: child.pid,
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/**
 * @typedef {{ outcome: 'exited', code: number } | { outcome: 'fallback', reason: string }} DesktopRun
 */

/**
 * Runs the desktop app until it exits, forwarding our stop signals to it.
 * `fallback` when it died before its tray was up (and nobody asked it to stop);
 * a clean exit 0 before the tray counts as done — Electron hands off to an
 * instance that is already running that way.
 * @param {{ plan: { electronPath: string, args: string[] }, args?: string[], env?: NodeJS.ProcessEnv }} options
 * @returns {Promise<DesktopRun>}
 */
export async function runDesktop(options) {
  const desktop = spawnDesktop(options);
  let stopRequested = false;
  /** @param {NodeJS.Signals} signal */
  const forward = (signal) => {
    stopRequested = true;
    desktop.kill(signal);
  };
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  try {
    const [ready, exit] = await Promise.all([desktop.ready, desktop.exited]);
    if (!ready && !stopRequested && exit.code !== 0) return { outcome: 'fallback', reason: earlyExitReason(exit) };
    return { outcome: 'exited', code: exitCodeOf(exit.code, exit.signal) };
  } finally {
    for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
  }
}

/** @param {string} path */
function readOrNull(path) {
  try {
    return readFileSync(path, 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/** @param {string} text */
function lastLine(text) {
  return (
    text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean)
      .at(-1) ?? ''
  );
}
