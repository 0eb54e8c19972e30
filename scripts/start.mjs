// `npm start`: the desktop app when it can run here, else the headless daemon
// (proxy, health monitor, admin server with the dashboard) in the foreground,
// after one line saying why. Builds only what the chosen path needs; extra
// arguments go through (`npm start -- --port 0 --admin-port 0`).
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { rename, rm, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fallbackLine, planDesktop, runDesktop } from './launch-desktop.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DASHBOARD_DIR = join(ROOT, 'dist', 'renderer');
const DASHBOARD_LOCK = join(ROOT, 'dist', '.renderer-build.lock');
/** What the dashboard is built from; specs are left out because they never reach the bundle. */
const DASHBOARD_SOURCES = ['src-renderer', 'src-shared'].map((dir) => join(ROOT, dir));
// A build takes seconds; a lock this old was left by a killed build.
const LOCK_STALE_MS = 5 * 60_000;

/**
 * Whether the built dashboard is missing or older than its sources.
 * @param {number | null} builtAt mtime of dist/renderer/index.html, null when absent
 * @param {number} newestSource newest mtime among the sources
 */
export function dashboardIsStale(builtAt, newestSource) {
  return builtAt === null || newestSource > builtAt;
}

/**
 * Newest mtime (ms) of the files under `dirs` that end up in the dashboard bundle.
 * @param {string[]} dirs
 */
export function newestSourceMtime(dirs = DASHBOARD_SOURCES) {
  let newest = 0;
  /** @param {string} dir */
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (!/\.(spec|test-d)\.tsx?$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of dirs) if (existsSync(dir)) walk(dir);
  return newest;
}

/** @param {string} path */
function mtimeOrNull(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

/**
 * Builds dist/renderer when it is missing or stale. Safe to call from several
 * processes at once (tests, two terminals): one builds under a lock file, the
 * others wait for it. The build goes to a staging folder that is renamed into
 * place, so a running daemon never serves half a dashboard, and a failed build
 * leaves the previous one in service.
 * @param {{ log?: (text: string) => void }} [options]
 * @returns {Promise<boolean>} false when the dashboard could not be built
 */
export async function ensureDashboard({ log = (text) => console.log(text) } = {}) {
  for (;;) {
    if (!dashboardIsStale(mtimeOrNull(join(DASHBOARD_DIR, 'index.html')), newestSourceMtime())) return true;
    if (takeLock(DASHBOARD_LOCK)) break;
    await sleep(200);
  }
  const staging = join(ROOT, 'dist', `.renderer-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    if (!dashboardIsStale(mtimeOrNull(join(DASHBOARD_DIR, 'index.html')), newestSourceMtime())) return true;
    log('Building the dashboard…');
    const startedAt = Date.now();
    const { build } = await import('vite');
    await build({ configFile: join(ROOT, 'src-renderer', 'vite.config.ts'), logLevel: 'error', build: { outDir: staging, emptyOutDir: true } });
    // Stamped with the build's start: a source saved during the build still counts as newer.
    await utimes(join(staging, 'index.html'), startedAt / 1000, startedAt / 1000);
    const old = `${staging}-old`;
    if (existsSync(DASHBOARD_DIR)) await rename(DASHBOARD_DIR, old);
    await rename(staging, DASHBOARD_DIR);
    await rm(old, { recursive: true, force: true });
    log(`✓ Dashboard built (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
    return true;
  } catch (error) {
    log(`The dashboard could not be built (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); the proxy and CLI work without it.`);
    return false;
  } finally {
    await rm(staging, { recursive: true, force: true });
    releaseLock(DASHBOARD_LOCK);
  }
}

/**
 * Creates the lock file, or breaks it when its owner is gone or it is too old.
 * @param {string} path
 */
function takeLock(path) {
  mkdirSync(dirname(path), { recursive: true });
  try {
    const fd = openSync(path, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EEXIST') throw error;
  }
  const owner = Number(readOrEmpty(path));
  const age = Date.now() - (mtimeOrNull(path) ?? Date.now());
  if (!isAlive(owner) || age > LOCK_STALE_MS) {
    try {
      unlinkSync(path);
    } catch {
      // Another waiter broke it first; the next round decides.
    }
  }
  return false;
}

/** @param {string} path */
function releaseLock(path) {
  try {
    if (Number(readOrEmpty(path)) === process.pid) unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/** @param {string} path */
function readOrEmpty(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** @param {number} pid */
function isAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
  }
}

/**
 * The headless daemon in this process (`qcc proxy start --foreground`), so
 * Ctrl-C and SIGTERM reach it directly and it removes daemon.json on the way out.
 * @param {string[]} args
 * @returns {Promise<number>} the exit code
 */
export async function runHeadless(args) {
  const { register } = await import('tsx/esm/api');
  register();
  // The CLI module runs itself on import when this is set; here we call it.
  delete process.env.QCC_CLI_ENTRY;
  const { run } = await import(pathToFileURL(join(ROOT, 'src-main', 'daemon', 'cli', 'main.ts')).href);
  const { resolveDataDir } = await import(pathToFileURL(join(ROOT, 'src-main', 'engine', 'node', 'data-dir.ts')).href);
  const { homedir } = await import('node:os');
  return run(['proxy', 'start', '--foreground', ...args], {
    dataDir: resolveDataDir(process.env),
    home: homedir(),
    env: process.env,
    out: (/** @type {string} */ text) => process.stdout.write(`${text}\n`),
    err: (/** @type {string} */ text) => process.stderr.write(`${text}\n`),
  });
}

/**
 * Builds the Electron main and preload bundles (esbuild, about a second).
 * @returns {Promise<string | null>} a reason when they could not be built
 */
async function buildDesktopBundles() {
  console.log('Building the desktop app…');
  try {
    const { buildDesktop } = await import('./build-desktop.mjs');
    await buildDesktop({ outDir: join(ROOT, 'dist', 'electron') });
    return null;
  } catch (error) {
    return `the desktop app could not be built: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
}

async function main() {
  const args = process.argv.slice(2);
  const plan = await planDesktop();
  let reason = plan.ok ? null : plan.reason;
  if (plan.ok) {
    // The desktop window loads the built dashboard too.
    const [, buildProblem] = await Promise.all([ensureDashboard(), buildDesktopBundles()]);
    reason = buildProblem;
    if (!reason) {
      const run = await runDesktop({ plan, args });
      if (run.outcome === 'exited') return run.code;
      reason = run.reason;
    }
  }
  process.stderr.write(`${fallbackLine(reason ?? 'unknown reason')}\n`);
  await ensureDashboard();
  return runHeadless(args);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main();
}
