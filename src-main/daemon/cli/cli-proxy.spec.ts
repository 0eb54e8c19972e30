import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProcessAlive } from '../../engine/node/process-alive.js';
import { daemonRpc, sendMessage, startDaemon } from './testing/daemon-client.js';
import { fakeUpstreams } from './testing/fake-upstreams.js';
import { assertCliError, listFiles, sandbox, waitFor, type CliResult } from './testing/run-cli.js';

// `qcc proxy start | stop | status | logs | token`, run as real subprocesses; the
// daemon is the real detached one, on ephemeral ports, in front of fake upstreams
// running in this test process. Every test stops its daemon when it ends, even
// on failure (CliSandbox.dispose: `qcc proxy stop`, then the pid). The security
// session lives here too because it needs a daemon, and tests in one file can
// share the CPU (vitest runs files one after another on a 2-core machine).

const ALPHA_KEY = 'sk-ant-api03-proxy-alpha-Al11';
const BETA_KEY = 'sk-ant-api03-proxy-beta-Be22';

// The fakes insist on their key: a 200 through the proxy proves it swapped the local token for the real key.
const upstreams = fakeUpstreams({ alpha: { apiKey: ALPHA_KEY }, beta: { apiKey: BETA_KEY } });
beforeAll(upstreams.start);
afterAll(upstreams.stop);

interface StatusJson {
  running: boolean;
  url: string | null;
  pid: number | null;
  dashboard_url: string | null;
  admin_url?: string | null;
}

describe.concurrent('qcc proxy without a daemon (subprocess)', { timeout: 60_000 }, () => {
  it('token is stable across calls and stored with mode 0600', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    const first = await box.run(['proxy', 'token']);
    expect(first.code, first.describe()).toBe(0);
    const token = first.stdout.trim();
    expect(token).toMatch(/^qcc-[\w-]{20,}$/);
    expect((await box.ok(['proxy', 'token'])).trim()).toBe(token);
    const file = join(box.qccHome, 'proxy-token');
    expect((await readFile(file, 'utf8')).trim()).toBe(token);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(box.qccHome)).mode & 0o777).toBe(0o700);
  });

  it('status, stop and logs when nothing runs (a stale daemon.json from a crash is ignored)', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    // What a crashed daemon leaves behind: daemon.json naming a process that is gone.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    await mkdir(box.qccHome, { recursive: true });
    await writeFile(
      join(box.qccHome, 'daemon.json'),
      JSON.stringify({ pid: gone, proxy_url: 'http://127.0.0.1:9', admin_url: 'http://127.0.0.1:9', started_at: new Date().toISOString() }),
    );
    const [json, human, stop, logs] = await Promise.all([
      box.json<StatusJson>(['proxy', 'status', '--json']),
      box.run(['proxy', 'status']),
      box.run(['proxy', 'stop']),
      box.run(['proxy', 'logs']),
    ]);
    expect(json).toMatchObject({ running: false, url: null, pid: null, dashboard_url: null });
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['running', 'url', 'pid', 'dashboard_url']));
    expect(human.code, human.describe()).toBe(0);
    expect(human.stdout).toContain('QCC proxy is not running');
    expect(stop.code, stop.describe()).toBe(0);
    expect(stop.stdout).toContain('not running');
    expect(logs.code, logs.describe()).toBe(0);
    expect(logs.stdout).toContain('No log yet');
  });

  it('start refuses a non-loopback --host without --allow-remote, and bad ports, without starting anything', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    const [remote, bigPort] = await Promise.all([
      box.run(['proxy', 'start', '--host', '0.0.0.0', '--port', '0', '--admin-port', '0']),
      box.run(['proxy', 'start', '--port', '70000']),
    ]);
    assertCliError(remote, 2, '--allow-remote');
    assertCliError(bigPort, 2, '--port', '65535');
    expect(existsSync(join(box.qccHome, 'daemon.json'))).toBe(false);
  });
});

describe.concurrent('qcc proxy with a detached daemon (subprocess)', { timeout: 60_000 }, () => {
  it('start → status → requests → live CLI changes → logs → stop', { timeout: 120_000 }, async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    const { alpha, beta } = upstreams.fakes;
    await box.ok(['add', 'alpha', '--base-url', alpha.url, '--api-key', ALPHA_KEY]);
    await box.ok(['add', 'beta', '--base-url', beta.url, '--api-key', BETA_KEY, '--auth', 'bearer']);

    // start: detached, on ephemeral ports.
    const { result: started, state } = await startDaemon(box);
    expect(started.code, started.describe()).toBe(0);
    expect(started.stdout).toMatch(/✓ QCC proxy started: http:\/\/127\.0\.0\.1:\d+ {2}\(pid \d+\)/);

    // status --json: running, url, pid, and a dashboard URL that opens with access (admin token in the fragment).
    const status = await box.json<StatusJson>(['proxy', 'status', '--json']);
    expect(status.running).toBe(true);
    expect(status.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Number.isInteger(status.pid)).toBe(true);
    const pid = status.pid as number;
    const proxyUrl = status.url as string;
    box.trackPid(pid);
    expect(pid).not.toBe(process.pid);
    expect(isProcessAlive(pid)).toBe(true);
    const adminToken = (await readFile(join(box.qccHome, 'admin-token'), 'utf8')).trim();
    const proxyToken = (await readFile(join(box.qccHome, 'proxy-token'), 'utf8')).trim();
    expect(status.dashboard_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=qcc-/);
    expect(status.dashboard_url).toBe(`${state?.admin_url}/#token=${adminToken}`);

    const [human, again, env] = await Promise.all([
      box.ok(['proxy', 'status']),
      // A second start finds the running daemon instead of starting another.
      box.run(['proxy', 'start', '--port', '0', '--admin-port', '0'], { timeoutMs: 45_000 }),
      // claude env points at the running proxy.
      box.ok(['claude', 'env']),
    ]);
    expect(human).toContain(`QCC proxy is running: ${proxyUrl}  (pid ${pid}`);
    expect(human).toContain(`Dashboard: ${status.dashboard_url}`);
    expect(again.code, again.describe()).toBe(0);
    expect(again.stdout).toContain(`already running: ${proxyUrl} (pid ${pid})`);
    expect(env).toContain(`export ANTHROPIC_BASE_URL='${proxyUrl}'`);
    expect(env).toContain(`export ANTHROPIC_AUTH_TOKEN='${proxyToken}'`);

    // Requests: refused without the local token; served by alpha with it, the real key swapped in.
    expect((await sendMessage(proxyUrl, {})).status).toBe(401);
    const viaApiKey = await sendMessage(proxyUrl, { 'x-api-key': proxyToken });
    expect(viaApiKey.status, viaApiKey.text).toBe(200);
    expect(viaApiKey.text).toContain('Hello from alpha.');
    const viaBearer = await sendMessage(proxyUrl, { authorization: `Bearer ${proxyToken}` });
    expect(viaBearer.status, viaBearer.text).toBe(200);
    const upstreamSaw = alpha.received.filter((request) => request.url === '/v1/messages').at(-1);
    expect(upstreamSaw?.headers['x-api-key']).toBe(ALPHA_KEY);
    expect(JSON.stringify(upstreamSaw?.headers)).not.toContain(proxyToken);

    // The admin API wants its token.
    const unauthorized = await fetch(`${state?.admin_url}/api/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ command: 'state:get', args: {} }),
    });
    expect(unauthorized.status).toBe(401);
    await unauthorized.body?.cancel();

    // CLI changes while the daemon runs reach it at once: the CLI, the daemon's RPC and live traffic agree.
    const policy = await box.json<{ failure_threshold: number }>(['priority', 'policy', '--failure-threshold', '5', '--json']);
    expect(policy.failure_threshold).toBe(5);
    const live = await daemonRpc<{ policy: { failure_threshold: number } }>(box, 'state:get');
    expect(live.policy.failure_threshold).toBe(5);

    const switched = await box.run(['priority', 'switch', 'beta', '--reason', 'failover drill']);
    expect(switched.code, switched.describe()).toBe(0);
    const [list, history] = await Promise.all([box.json(['priority', 'list', '--json']), box.json(['priority', 'history', '--json', '--limit', '1'])]);
    expect(list).toMatchObject({ active: 'beta', pinned: true });
    expect(history).toEqual([expect.objectContaining({ event_type: 'manual', reason: 'failover drill', to_config: 'beta' })]);
    expect(await daemonRpc(box, 'state:get')).toMatchObject({ active_config: 'beta', pinned: true });
    const afterSwitch = await sendMessage(proxyUrl, { 'x-api-key': proxyToken });
    expect(afterSwitch.status, afterSwitch.text).toBe(200);
    expect(afterSwitch.text).toContain('Hello from beta.');
    expect(beta.received.filter((request) => request.url === '/v1/messages').at(-1)?.headers.authorization).toBe(`Bearer ${BETA_KEY}`);

    // logs: the daemon writes its log in batches; once the lines are on disk, `proxy logs` shows them.
    const logFile = join(box.qccHome, 'logs', 'qcc.log');
    await waitFor('the request lines in logs/qcc.log', async () => {
      const text = await readFile(logFile, 'utf8').catch(() => '');
      return (text.match(/"kind":"request"/g) ?? []).length >= 4 ? true : undefined;
    });
    const follow = box.start(['proxy', 'logs', '-f', '-n', '1'], { timeoutMs: 30_000 });
    try {
      const [logs, last] = await Promise.all([box.ok(['proxy', 'logs']), box.ok(['proxy', 'logs', '-n', '1'])]);
      expect(logs).toMatch(/POST \/v1\/messages → 200 {2}alpha\/\S+ {2}1 attempt\(s\)/);
      expect(logs).toMatch(/POST \/v1\/messages → 200 {2}beta\//);
      expect(logs).toMatch(/POST \/v1\/messages → 401/);
      expect(last.trim().split('\n')).toHaveLength(1);

      // logs -f follows new lines until interrupted.
      await waitFor('`proxy logs -f` to print its first line', async () => (follow.stdout().trim() !== '' ? true : undefined));
      const counted = await sendMessage(proxyUrl, { 'x-api-key': proxyToken }, '/v1/messages/count_tokens');
      expect(counted.status, counted.text).toBe(200);
      await waitFor('`proxy logs -f` to show the new request', async () => (follow.stdout().includes('/v1/messages/count_tokens → 200') ? true : undefined), 15_000);
    } finally {
      follow.kill('SIGINT');
    }
    const followed = await follow.done;
    expect(followed.code, followed.describe()).toBe(0);

    // stop: the process is gone, status says so, and the daemon persisted what the CLI changed.
    const stopped = await box.run(['proxy', 'stop'], { timeoutMs: 30_000 });
    expect(stopped.code, stopped.describe()).toBe(0);
    expect(stopped.stdout).toContain(`✓ QCC proxy stopped (pid ${pid})`);
    expect(isProcessAlive(pid)).toBe(false);
    expect(existsSync(join(box.qccHome, 'daemon.json'))).toBe(false);
    const [statusStopped, persisted] = await Promise.all([
      box.json(['proxy', 'status', '--json']),
      box.json<{ failure_threshold: number }>(['priority', 'policy', '--json']),
    ]);
    expect(statusStopped).toMatchObject({ running: false, url: null, pid: null, dashboard_url: null });
    expect(persisted.failure_threshold).toBe(5);
  });
});

// Security: after a realistic session of commands (configs, health checks,
// switches, the daemon serving traffic, Claude Code connected, errors that
// carry a key), the API keys are in no file but the settings store, and in no
// command's output.
describe.concurrent('Security: API keys appear in no file but the settings store (subprocess session)', { timeout: 60_000 }, () => {
  const KEYS = {
    primary: 'sk-ant-api03-SECRET-primary-7f3a9c1e5b2d4a6c-PrIm',
    bearer: 'sk-ant-api03-SECRET-bearer-0c8e2a4f6b1d3e5a-BeAr',
    extra: 'sk-ant-api03-SECRET-extra-9d7b5f3e1c2a4b6d-ExTr',
    imported: 'sk-ant-api03-SECRET-imported-2b4d6f8a0c1e3a5b-ImPo',
    rejected: 'sk-ant-api03-SECRET-rejected-5e7a9c1b3d5f7a9c-ReJe',
    duplicate: 'sk-ant-api03-SECRET-duplicate-1a3c5e7b9d2f4a6c-DuPl',
  };
  /** A part of each key that no hint shows (hints keep at most the ends). */
  const middle = (key: string) => key.slice(20, -5);
  /**
   * Files allowed to hold keys: the settings store, `$QCC_HOME/settings.json`, and its
   * backup `settings.json.bak` (the store's own last-good copy, written with the same 0600 mode).
   */
  const SETTINGS_STORE = ['settings.json', 'settings.json.bak'];

  const upstreams = fakeUpstreams({ good: { apiKey: KEYS.primary }, bearer: { apiKey: KEYS.bearer }, rejecting: { apiKey: 'not-any-of-ours' } });
  beforeAll(upstreams.start);
  afterAll(upstreams.stop);

  it('only $QCC_HOME/settings.json (and its .bak) hold the keys; logs, events, daemon.json, tokens and ~/.claude do not', { timeout: 120_000 }, async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    const { good, bearer, rejecting } = upstreams.fakes;
    const outputs: CliResult[] = [];
    const run = async (args: string[], expectCode = 0, env?: Record<string, string>) => {
      const result = await box.run(args, { env, timeoutMs: 45_000 });
      outputs.push(result);
      expect(result.code, result.describe()).toBe(expectCode);
      return result;
    };

    // Configs and endpoints (one key the upstream rejects), an import from the environment,
    // and errors that carry a key on the command line.
    await run(['add', 'primary', '--base-url', rejecting.url, '--api-key', KEYS.rejected, '--description', 'first endpoint is rejected']);
    await Promise.all([
      run(['endpoint', 'add', 'primary', '--base-url', good.url, '--api-key', KEYS.primary]),
      run(['add', 'via-bearer', '--base-url', bearer.url, '--api-key', KEYS.bearer, '--auth', 'bearer']),
      // (with a local base URL, so no probe or request of this session ever leaves the machine)
      run(['claude', 'import', '--name', 'imported'], 0, { ANTHROPIC_API_KEY: KEYS.imported, ANTHROPIC_BASE_URL: good.url }),
      run(['add', 'primary', '--base-url', good.url, '--api-key', KEYS.duplicate], 1),
      run(['add', 'broken', '--base-url', 'not a url', '--api-key', KEYS.duplicate], 1),
      run(['endpoint', 'add', 'nope', '--base-url', good.url, '--api-key', KEYS.duplicate], 1),
    ]);
    await Promise.all([run(['endpoint', 'add', 'via-bearer', '--base-url', 'http://127.0.0.1:1', '--api-key', KEYS.extra]), run(['list', '--json'])]);
    await run(['health']);
    await run(['priority', 'switch', 'via-bearer', '--reason', 'security session']);

    // The daemon: a switch through it, traffic through the proxy, Claude Code connected to it.
    const { result: started, state } = await startDaemon(box);
    outputs.push(started);
    expect(started.code, started.describe()).toBe(0);
    expect(state).not.toBeNull();
    await run(['priority', 'switch', 'primary', '--reason', 'back to primary']);
    const token = (await readFile(join(box.qccHome, 'proxy-token'), 'utf8')).trim();
    const replies = await Promise.all([1, 2, 3].map(() => sendMessage(state?.proxy_url ?? '', { 'x-api-key': token })));
    for (const reply of replies) expect(reply.status, reply.text).toBe(200);
    await waitFor('the request lines in logs/qcc.log', async () => {
      const text = await readFile(join(box.qccHome, 'logs', 'qcc.log'), 'utf8').catch(() => '');
      return (text.match(/"kind":"request"/g) ?? []).length >= 3 ? true : undefined;
    });
    await Promise.all([run(['claude', 'connect']), run(['health', '--json']), run(['proxy', 'logs', '-n', '500'])]);
    await run(['proxy', 'stop']);

    // Nothing printed a key, nor a recognisable part of one.
    for (const result of outputs) {
      for (const key of Object.values(KEYS)) {
        expect(result.stdout + result.stderr, result.describe()).not.toContain(middle(key));
      }
    }

    // Every file under $QCC_HOME (logs/ included) and the temporary HOME (~/.claude included).
    const files = [...(await listFiles(box.qccHome)), ...(await listFiles(box.home))];
    const names = files.map((file) => relative(box.root, file));
    expect(names).toEqual(
      expect.arrayContaining([
        'qcc-home/settings.json',
        'qcc-home/events.jsonl',
        'qcc-home/proxy-token',
        'qcc-home/admin-token',
        'qcc-home/logs/qcc.log',
        'qcc-home/logs/daemon.out',
        'home/.claude/settings.json',
      ]),
    );
    const allowed = new Set(SETTINGS_STORE.map((name) => join(box.qccHome, name)));
    const holders: string[] = [];
    for (const file of files) {
      const text = await readFile(file, 'latin1');
      const leaked = Object.entries(KEYS).filter(([, key]) => text.includes(middle(key)));
      if (leaked.length === 0) continue;
      holders.push(relative(box.root, file));
      expect(allowed.has(file), `${relative(box.root, file)} contains the ${leaked.map(([name]) => name).join(', ')} key`).toBe(true);
    }
    // The store does hold them (so the scan looked at the right thing), and is private.
    expect(holders).toContain('qcc-home/settings.json');
    const store = await readFile(join(box.qccHome, 'settings.json'), 'utf8');
    for (const name of ['primary', 'bearer', 'extra', 'imported', 'rejected'] as const) expect(store).toContain(KEYS[name]);
    expect(store).not.toContain(KEYS.duplicate);
    for (const file of allowed) if (existsSync(file)) expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});
