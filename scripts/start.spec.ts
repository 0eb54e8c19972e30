import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collectOutput } from './testing/collect-output.js';

// The scripts are plain .mjs (no declarations), so they are loaded by URL and typed here.
interface LaunchDesktop {
  READY_MARKER: string;
  displayProblem(input: { platform: string; env: Record<string, string | undefined> }): string | null;
  locateElectron(input: {
    platform: string;
    env: Record<string, string | undefined>;
    electronDir: string;
    pathTxt: string | null;
    exists: (path: string) => boolean;
  }): { kind: 'found' | 'download'; path: string } | { kind: 'missing'; reason: string };
  sandboxArgs(input: { platform: string; uid: number | undefined }): string[];
  fallbackLine(reason: string): string;
  earlyExitReason(exit: { code: number | null; signal: string | null; lastStderrLine: string }): string;
  downloadFailureReason(error: unknown): string;
  exitCodeOf(code: number | null, signal: string | null): number;
  runDesktop(options: { plan: { electronPath: string; args: string[] }; args?: string[] }): Promise<{ outcome: 'exited'; code: number } | { outcome: 'fallback'; reason: string }>;
}
interface Start {
  dashboardIsStale(builtAt: number | null, newestSource: number): boolean;
  ensureDashboard(options?: { log?: (text: string) => void }): Promise<boolean>;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LAUNCH_URL = new URL('./launch-desktop.mjs', import.meta.url).href;
const launch = (await import(LAUNCH_URL)) as LaunchDesktop;
const start = (await import(new URL('./start.mjs', import.meta.url).href)) as Start;

const temps: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'qcc-start-'));
  temps.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(temps.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('can the desktop app start here', () => {
  it('needs a display on Linux: DISPLAY or WAYLAND_DISPLAY', () => {
    expect(launch.displayProblem({ platform: 'linux', env: {} })).toBe('no display: DISPLAY and WAYLAND_DISPLAY are unset');
    expect(launch.displayProblem({ platform: 'linux', env: { DISPLAY: '' } })).toMatch(/^no display/);
    expect(launch.displayProblem({ platform: 'linux', env: { DISPLAY: ':0' } })).toBeNull();
    expect(launch.displayProblem({ platform: 'linux', env: { WAYLAND_DISPLAY: 'wayland-0' } })).toBeNull();
  });

  it('needs no display variable on macOS or Windows', () => {
    expect(launch.displayProblem({ platform: 'darwin', env: {} })).toBeNull();
    expect(launch.displayProblem({ platform: 'win32', env: {} })).toBeNull();
  });

  const electronDir = '/app/node_modules/electron';
  const locate = (pathTxt: string | null, env: Record<string, string>, existing: string[], platform = 'linux') =>
    launch.locateElectron({ platform, env, electronDir, pathTxt, exists: (path) => existing.includes(path) });

  it('uses the installed binary that path.txt names', () => {
    expect(locate('electron', {}, [`${electronDir}/dist/electron`])).toEqual({ kind: 'found', path: `${electronDir}/dist/electron` });
  });

  it('asks for the one-time download when the binary was never fetched or has gone', () => {
    expect(locate(null, {}, [])).toEqual({ kind: 'download', path: `${electronDir}/dist/electron` });
    expect(locate('electron', {}, [])).toEqual({ kind: 'download', path: `${electronDir}/dist/electron` });
    expect(locate(null, {}, [], 'darwin')).toEqual({ kind: 'download', path: `${electronDir}/dist/Electron.app/Contents/MacOS/Electron` });
  });

  it('never downloads into ELECTRON_OVERRIDE_DIST_PATH: a missing binary there is the reason', () => {
    expect(locate(null, { ELECTRON_OVERRIDE_DIST_PATH: '/opt/el' }, ['/opt/el/electron'])).toEqual({ kind: 'found', path: '/opt/el/electron' });
    expect(locate(null, { ELECTRON_OVERRIDE_DIST_PATH: '/opt/el' }, [`${electronDir}/dist/electron`])).toEqual({
      kind: 'missing',
      reason: 'no Electron binary (ELECTRON_OVERRIDE_DIST_PATH has no /opt/el/electron)',
    });
  });

  it('has no binary on a platform Electron does not support', () => {
    expect(locate(null, {}, [], 'aix')).toEqual({ kind: 'missing', reason: 'no Electron binary (Electron does not run on aix)' });
  });

  it('turns the Chromium sandbox off only for root on Linux, which Chromium refuses otherwise', () => {
    expect(launch.sandboxArgs({ platform: 'linux', uid: 0 })).toEqual(['--no-sandbox']);
    expect(launch.sandboxArgs({ platform: 'linux', uid: 1000 })).toEqual([]);
    expect(launch.sandboxArgs({ platform: 'darwin', uid: 0 })).toEqual([]);
    expect(launch.sandboxArgs({ platform: 'win32', uid: undefined })).toEqual([]);
  });

  it('says why in one line', () => {
    expect(launch.fallbackLine('no display: DISPLAY and WAYLAND_DISPLAY are unset')).toBe(
      'QCC: the desktop app cannot start here (no display: DISPLAY and WAYLAND_DISPLAY are unset); running headless instead.',
    );
    expect(launch.earlyExitReason({ code: 1, signal: null, lastStderrLine: '[12:ERROR:ozone_platform_x11.cc] Missing X server or $DISPLAY' })).toBe(
      'Electron could not start (exit code 1: [12:ERROR:ozone_platform_x11.cc] Missing X server or $DISPLAY)',
    );
    expect(launch.earlyExitReason({ code: null, signal: 'SIGSEGV', lastStderrLine: '' })).toBe('Electron could not start (signal SIGSEGV)');
    expect(launch.earlyExitReason({ code: 1, signal: null, lastStderrLine: 'x'.repeat(1_000) }).length).toBeLessThan(300);
  });

  it('names the network error behind a failed download, not just "fetch failed"', () => {
    const error = new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND github.com') });
    expect(launch.downloadFailureReason(error)).toBe('no Electron binary (download failed: getaddrinfo ENOTFOUND github.com)');
    expect(launch.downloadFailureReason(new Error('Response code 404 (Not Found)'))).toBe('no Electron binary (download failed: Response code 404 (Not Found))');
  });

  it('reports a signal death the way shells do', () => {
    expect(launch.exitCodeOf(3, null)).toBe(3);
    expect(launch.exitCodeOf(null, 'SIGTERM')).toBe(143);
    expect(launch.exitCodeOf(null, 'SIGINT')).toBe(130);
  });
});

describe('the dashboard build', () => {
  it('is redone when missing or older than its sources', () => {
    expect(start.dashboardIsStale(null, 0)).toBe(true);
    expect(start.dashboardIsStale(1_000, 2_000)).toBe(true);
    expect(start.dashboardIsStale(2_000, 2_000)).toBe(false);
    expect(start.dashboardIsStale(3_000, 2_000)).toBe(false);
  });
});

/** A stand-in Electron executable: a Node script that does what `body` says with its argv. */
async function fakeElectron(body: string): Promise<string> {
  const dir = await tempDir();
  const path = join(dir, 'electron');
  await writeFile(path, `#!${process.execPath}\nconst fs = require('node:fs');\nfs.writeFileSync(${JSON.stringify(join(dir, 'argv.json'))}, JSON.stringify(process.argv.slice(2)));\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

describe('running Electron', () => {
  it('falls back with the exit code and last stderr line when Electron dies before its tray is up', async () => {
    const electronPath = await fakeElectron(`process.stderr.write('starting\\nMissing X server or $DISPLAY\\n'); process.exit(1);`);
    const run = await launch.runDesktop({ plan: { electronPath, args: ['--no-sandbox'] }, args: ['--port', '0'] });
    expect(run).toEqual({ outcome: 'fallback', reason: 'Electron could not start (exit code 1: Missing X server or $DISPLAY)' });
    // Switches first, then the app (this checkout, whose package.json "main" is the bundle), then ours.
    const [sandbox, app, ...rest] = JSON.parse(await readFile(join(electronPath, '..', 'argv.json'), 'utf8')) as string[];
    expect([sandbox, resolve(app ?? ''), ...rest]).toEqual(['--no-sandbox', resolve(ROOT), '--port', '0']);
  });

  it('runs to the end once the tray is up, and reports the app exit code', async () => {
    const electronPath = await fakeElectron(`console.log(${JSON.stringify(launch.READY_MARKER)}); setTimeout(() => process.exit(3), 50);`);
    expect(await launch.runDesktop({ plan: { electronPath, args: [] } })).toEqual({ outcome: 'exited', code: 3 });
  });

  it('treats a clean exit before the tray as a hand-off, not a failure', async () => {
    const electronPath = await fakeElectron(`process.exit(0);`);
    expect(await launch.runDesktop({ plan: { electronPath, args: [] } })).toEqual({ outcome: 'exited', code: 0 });
  });

  it('forwards SIGTERM to Electron and exits with its code (subprocess)', async () => {
    // The handler goes in before the first line: the test signals as soon as it reads that line.
    const electronPath = await fakeElectron(
      `process.on('SIGTERM', () => { console.log('electron got SIGTERM'); process.exit(0); }); setInterval(() => {}, 1000);` +
        `console.log('tray coming up'); console.log(${JSON.stringify(launch.READY_MARKER)});`,
    );
    const driver = `const m = await import(${JSON.stringify(LAUNCH_URL)});
      const run = await m.runDesktop({ plan: { electronPath: ${JSON.stringify(electronPath)}, args: [] } });
      console.log('result ' + JSON.stringify(run)); process.exitCode = run.code ?? 99;`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', driver], { stdio: ['ignore', 'pipe', 'pipe'] });
    const output = collectOutput(child);
    await output.waitFor(/tray coming up/);
    child.kill('SIGTERM');
    expect(await output.exit).toBe(0);
    expect(output.stdout()).toContain('electron got SIGTERM');
    expect(output.stdout()).toContain('result {"outcome":"exited","code":0}');
    // The ready marker is a protocol line between the processes, not output for the user.
    expect(output.stdout()).not.toContain(launch.READY_MARKER);
  });
});

const exists = (path: string) => stat(path).then(
  () => true,
  () => false,
);

describe('npm start on a machine without Electron (subprocess)', () => {
  // Built here once (under start.mjs's lock) so the subprocesses find it fresh and start fast.
  // A build broken by a half-saved source elsewhere still leaves the previous one in service.
  beforeAll(async () => {
    await start.ensureDashboard({ log: () => undefined });
    expect(await exists(join(ROOT, 'dist', 'renderer', 'index.html'))).toBe(true);
  }, 180_000);

  async function startHeadless(env: Record<string, string>) {
    const home = await tempDir();
    const base = { ...process.env };
    for (const name of ['DISPLAY', 'WAYLAND_DISPLAY', 'ELECTRON_OVERRIDE_DIST_PATH', 'QCC_CLI_ENTRY', 'QCC_DAEMON_DETACHED']) delete base[name];
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'start.mjs'), '--port', '0', '--admin-port', '0'], {
      cwd: ROOT,
      env: { ...base, QCC_HOME: home, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = collectOutput(child);
    const [, adminUrl, token] = (await output.waitFor(/Dashboard: (http:\/\/127\.0\.0\.1:\d+)\/#token=(\S+)/)) as unknown as [string, string, string];
    return { child, output, home, adminUrl, token };
  }

  async function expectDashboardServed(run: Awaited<ReturnType<typeof startHeadless>>) {
    const page = await fetch(`${run.adminUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toMatch(/<script type="module"[^>]*src="\.\/assets\//);
    expect(html).not.toContain('has not been built');

    const health = await fetch(`${run.adminUrl}/api/health`, { headers: { authorization: `Bearer ${run.token}` } });
    expect(await health.json()).toMatchObject({ ok: true, service: 'qcc-admin', pid: run.child.pid });
    const rpc = (authorization?: string) =>
      fetch(`${run.adminUrl}/api/rpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ command: 'state:get' }),
      });
    expect((await rpc(`Bearer ${run.token}`)).status).toBe(200);
    expect((await rpc()).status).toBe(401);
    expect(await exists(join(run.home, 'daemon.json'))).toBe(true);
  }

  async function expectCleanStop(run: Awaited<ReturnType<typeof startHeadless>>) {
    run.child.kill('SIGTERM');
    expect(await run.output.exit).toBe(0);
    expect(run.output.stdout()).toContain('✓ QCC proxy stopped');
    expect(await exists(join(run.home, 'daemon.json'))).toBe(false);
  }

  it.runIf(process.platform === 'linux')('without a display: one line naming it, then the headless daemon and its dashboard', async () => {
    const run = await startHeadless({});
    await expectDashboardServed(run);
    await expectCleanStop(run);
    expect(run.output.stderr().trim().split('\n')).toEqual([
      'QCC: the desktop app cannot start here (no display: DISPLAY and WAYLAND_DISPLAY are unset); running headless instead.',
    ]);
  });

  it('with a display but no Electron binary: one line naming the missing binary, then the same', async () => {
    const emptyDist = await tempDir();
    const run = await startHeadless({ DISPLAY: ':99', ELECTRON_OVERRIDE_DIST_PATH: emptyDist });
    await expectDashboardServed(run);
    await expectCleanStop(run);
    const lines = run.output.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^QCC: the desktop app cannot start here \(no Electron binary \(ELECTRON_OVERRIDE_DIST_PATH has no .+\)\); running headless instead\.$/);
    expect(lines[0]).toContain(emptyDist);
  });
});
