import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FailoverEvent } from '../../src-shared/model/event.js';
import { FAST_RECOVERY_POLICY } from '../engine/core/testing/fakes.js';
import { FakeAnthropic } from '../fake-upstream/fake-anthropic.js';
import { loadOrCreateToken } from '../engine/node/access-token.js';
import { startDaemon, type RunningDaemon } from './daemon.js';
import { findRunningDaemon, readDaemonState } from './daemon-state.js';

// The daemon end to end over real sockets: fake upstreams in three tiers, the
// real engine, proxy, health monitor and admin server, and the CLI as a subprocess.

const QCC_BIN = fileURLToPath(new URL('../../bin/qcc.mjs', import.meta.url));

function cli(dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [QCC_BIN, ...args], { env: { ...process.env, QCC_HOME: dataDir }, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function cliJson<T>(dataDir: string, ...args: string[]): Promise<T> {
  const result = await cli(dataDir, ...args);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as T;
}

async function ask(daemon: RunningDaemon, token: string, stream = false) {
  const response = await request(`${daemon.proxyUrl}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': token, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 16, stream, messages: [{ role: 'user', content: 'hi' }] }),
  });
  const text = await response.body.text();
  return { status: response.statusCode, config: response.headers['x-qcc-config'], text };
}

let dataDir: string;
const upstreams: FakeAnthropic[] = [];
let daemon: RunningDaemon | null = null;
let child: ChildProcess | null = null;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'qcc-daemon-'));
});
afterEach(async () => {
  await daemon?.stop();
  daemon = null;
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = null;
  await Promise.all(upstreams.splice(0).map((upstream) => upstream.stop()));
  await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
});

async function fake(name: string): Promise<FakeAnthropic> {
  const upstream = await FakeAnthropic.start({ name, apiKey: `sk-${name}-upstream-key-0000` });
  upstreams.push(upstream);
  return upstream;
}

describe('claude:import over the admin API (the dashboard\'s first-run import)', () => {
  it('adds the API settings Claude Code uses as a config, and says where they came from without the key', async () => {
    const home = await mkdtemp(join(tmpdir(), 'qcc-daemon-home-'));
    try {
      const key = 'sk-ant-api03-imported-0123456789-abcd';
      await mkdir(join(home, '.claude'), { recursive: true });
      await writeFile(join(home, '.claude', 'settings.json'), JSON.stringify({ env: { ANTHROPIC_API_KEY: key, ANTHROPIC_BASE_URL: 'https://relay.example/anthropic' } }));
      daemon = await startDaemon({ dataDir, port: 0, adminPort: 0, claudeHome: home });
      const adminToken = await loadOrCreateToken(dataDir, 'admin-token');
      const rpc = async (command: string, args: object) => {
        const response = await request(`${daemon!.adminUrl}/api/rpc`, {
          method: 'POST',
          headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ command, args }),
        });
        return { status: response.statusCode, text: await response.body.text() };
      };
      const imported = await rpc('claude:import', {});
      expect(imported.status).toBe(200);
      expect(imported.text).not.toContain(key);
      expect(JSON.parse(imported.text)).toMatchObject({
        ok: true,
        result: { source: '~/.claude/settings.json', config: { name: 'claude-code', tier: 'primary', description: 'imported from ~/.claude/settings.json', endpoints: [{ base_url: 'https://relay.example/anthropic' }] } },
      });
      expect(daemon.host.engine.plan().candidates.map((c) => c.endpoint.api_key)).toEqual([key]);

      // Twice is a clear refusal, not a second copy.
      const again = await rpc('claude:import', {});
      expect(again.status).toBe(409);
      expect(JSON.parse(again.text)).toMatchObject({ ok: false, error: { code: 'already_exists' } });
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe('daemon end to end', () => {
  it('fails over when the primary dies, keeps serving, and recovers when it heals', async () => {
    const [prodA, prodB, backup, emergency] = await Promise.all([fake('prod-a'), fake('prod-b'), fake('backup'), fake('emergency')]);
    daemon = await startDaemon({ dataDir, port: 0, adminPort: 0 });
    const { engine } = daemon.host;
    await engine.invoke('policy:update', FAST_RECOVERY_POLICY);
    const endpoint = (upstream: FakeAnthropic, name: string) => ({ base_url: upstream.url, api_key: `sk-${name}-upstream-key-0000` });
    await engine.invoke('config:add', { name: 'production', tier: 'primary', endpoints: [endpoint(prodA, 'prod-a'), endpoint(prodB, 'prod-b')] });
    await engine.invoke('config:add', { name: 'backup', tier: 'secondary', endpoints: [endpoint(backup, 'backup')] });
    await engine.invoke('config:add', { name: 'emergency', tier: 'fallback', endpoints: [endpoint(emergency, 'emergency')] });
    const token = await loadOrCreateToken(dataDir, 'proxy-token');

    expect(await ask(daemon, token)).toMatchObject({ status: 200, config: 'production' });

    // The primary dies: every request still succeeds.
    await prodA.setFault({ kind: 'refuse' });
    await prodB.setFault({ kind: 'overloaded' });
    for (let i = 0; i < 6; i++) {
      const answer = await ask(daemon, token, i % 2 === 0);
      expect(answer.status).toBe(200);
      expect(answer.config).toBe('backup');
    }

    const history = await cliJson<FailoverEvent[]>(dataDir, 'priority', 'history', '--json');
    expect(history[0]).toMatchObject({ event_type: 'failover', from_config: 'production', to_config: 'backup', success: true });
    expect(history[0]?.reason).toContain('production');
    expect(Object.keys(history[0] ?? {}).sort()).toEqual(['event_id', 'event_type', 'from_config', 'reason', 'success', 'timestamp', 'to_config']);
    const list = await cliJson<{ active: string; tiers: { tier: string; configs: { name: string; active: boolean }[] }[] }>(dataDir, 'priority', 'list', '--json');
    expect(list.active).toBe('backup');
    expect(list.tiers.find((t) => t.tier === 'secondary')?.configs[0]).toMatchObject({ name: 'backup', active: true });

    // It heals: the monitor probes it when its ejection expires, and traffic returns.
    await prodA.clearFault();
    await prodB.clearFault();
    await expect.poll(() => engine.activeConfig, { timeout: 15_000, interval: 100 }).toBe('production');
    expect(await ask(daemon, token)).toMatchObject({ status: 200, config: 'production' });
    const after = await cliJson<FailoverEvent[]>(dataDir, 'priority', 'history', '--json');
    expect(after[0]).toMatchObject({ event_type: 'recovery', from_config: 'backup', to_config: 'production' });
  }, 40_000);

  it('takes a CLI change at once while running', async () => {
    daemon = await startDaemon({ dataDir, port: 0, adminPort: 0 });
    const upstream = await fake('live');
    const added = await cli(dataDir, 'add', 'live', '--base-url', upstream.url, '--api-key', 'sk-live-upstream-key-0000');
    expect(added.code).toBe(0);
    expect(daemon.host.engine.activeConfig).toBe('live');
    expect(await ask(daemon, await loadOrCreateToken(dataDir, 'proxy-token'))).toMatchObject({ status: 200, config: 'live' });
    await cli(dataDir, 'priority', 'policy', '--failure-threshold', '7');
    expect(daemon.host.engine.policy.failure_threshold).toBe(7);
  }, 30_000);

  it('writes daemon.json while running and removes it on stop', async () => {
    daemon = await startDaemon({ dataDir, port: 0, adminPort: 0 });
    const state = await findRunningDaemon(dataDir);
    expect(state).toMatchObject({ pid: process.pid, proxy_url: daemon.proxyUrl, admin_url: daemon.adminUrl });
    expect(JSON.stringify(state)).not.toMatch(/qcc-[A-Za-z0-9_-]{20,}/);
    await daemon.stop();
    daemon = null;
    expect(await readDaemonState(dataDir)).toBeNull();
  });

  it('refuses a busy port with a clear message', async () => {
    daemon = await startDaemon({ dataDir, port: 0, adminPort: 0 });
    const port = Number(new URL(daemon.proxyUrl).port);
    const other = await mkdtemp(join(tmpdir(), 'qcc-daemon-2-'));
    try {
      await expect(startDaemon({ dataDir: other, port, adminPort: 0 })).rejects.toThrow(`port ${port} is already in use`);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});

describe('crash and restart', () => {
  it('a killed daemon restarts with its configs and history; the stale daemon.json is ignored', async () => {
    const upstream = await fake('solo');
    const start = () => {
      const process_ = spawn(process.execPath, [QCC_BIN, 'proxy', 'start', '--foreground', '--port', '0', '--admin-port', '0'], {
        env: { ...process.env, QCC_HOME: dataDir },
        stdio: 'ignore',
      });
      child = process_;
      return process_;
    };
    await cli(dataDir, 'add', 'solo', '--base-url', upstream.url, '--api-key', 'sk-solo-upstream-key-0000');
    await cli(dataDir, 'add', 'spare', '--base-url', upstream.url, '--api-key', 'sk-solo-upstream-key-0000');
    const first = start();
    await expect.poll(() => findRunningDaemon(dataDir).then((s) => s?.pid), { timeout: 20_000, interval: 100 }).toBe(first.pid);
    const switched = await cli(dataDir, 'priority', 'switch', 'spare', '--reason', 'before the crash');
    expect(switched.code).toBe(0);

    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    expect((await readDaemonState(dataDir))?.pid).toBe(first.pid); // left behind by the crash
    expect(await findRunningDaemon(dataDir)).toBeNull();

    const second = start();
    await expect.poll(() => findRunningDaemon(dataDir).then((s) => s?.pid), { timeout: 20_000, interval: 100 }).toBe(second.pid);
    const list = await cliJson<{ active: string; pinned: boolean; tiers: { configs: { name: string }[] }[] }>(dataDir, 'priority', 'list', '--json');
    expect(list.tiers.flatMap((t) => t.configs.map((c) => c.name))).toEqual(['solo', 'spare']);
    expect(list).toMatchObject({ active: 'spare', pinned: true });
    const history = await cliJson<FailoverEvent[]>(dataDir, 'priority', 'history', '--json');
    expect(history.map((e) => e.reason)).toEqual(['before the crash']);
    expect((await cli(dataDir, 'proxy', 'stop')).code).toBe(0);
    expect(await readFile(join(dataDir, 'settings.json'), 'utf8')).toContain('sk-solo-upstream-key-0000');
  }, 60_000);
});
