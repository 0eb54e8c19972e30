import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../core/engine.js';
import { MemoryEventLog, MemorySettingsRepository, RecordingNotifier, SequentialIds } from '../core/testing/fakes.js';
import { AdminClient } from './admin-client.js';
import { AdminServer } from './admin-server.js';
import { SystemClock } from './system-clock.js';

const TOKEN = 'qcc-admin-test-token-abcdefghijkl';
let engine: Engine;
let admin: AdminServer;
let staticDir: string;

beforeEach(async () => {
  engine = await Engine.start({
    clock: new SystemClock(),
    ids: new SequentialIds(),
    settings: new MemorySettingsRepository(),
    events: new MemoryEventLog(),
    notifier: new RecordingNotifier(),
  });
  staticDir = await mkdtemp(join(tmpdir(), 'qcc-static-'));
  await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>dash</title>');
  await mkdir(join(staticDir, 'assets'));
  await writeFile(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(staticDir, '..', 'qcc-secret-outside.txt'), 'TOP-SECRET-CONTENT');
  admin = new AdminServer({ engine, token: TOKEN, staticDir, describe: () => ({ pid: 42 }) });
  await admin.listen(0);
});

afterEach(async () => {
  await admin.close();
  await rm(staticDir, { recursive: true, force: true });
  await rm(join(staticDir, '..', 'qcc-secret-outside.txt'), { force: true });
});

async function rpc(body: unknown, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) {
  const response = await request(`${admin.url}/api/rpc`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.statusCode, headers: response.headers, body: (await response.body.json()) as { ok: boolean; result?: unknown; error?: { code: string; message: string } } };
}

describe('admin RPC', () => {
  it('runs contract commands with the admin token', async () => {
    const added = await rpc({ command: 'config:add', args: { name: 'production', endpoints: [{ base_url: 'https://api.anthropic.com', api_key: 'sk-ant-secret-key-000111' }] } });
    expect(added).toMatchObject({ status: 200, body: { ok: true, result: { name: 'production', tier: 'primary' } } });
    expect(JSON.stringify(added.body)).not.toContain('sk-ant-secret-key-000111');
    const client = new AdminClient(admin.url, TOKEN);
    expect((await client.invoke('state:get', {})).active_config).toBe('production');
  });

  it('maps engine errors to {code, message} with a matching status', async () => {
    expect(await rpc({ command: 'config:remove', args: { name: 'ghost' } })).toMatchObject({ status: 404, body: { ok: false, error: { code: 'not_found' } } });
    expect(await rpc({ command: 'config:wipe', args: {} })).toMatchObject({ status: 400, body: { error: { code: 'unknown_command' } } });
    const invalid = await rpc({ command: 'priority:move', args: { name: 'x', tier: 'gold' } });
    expect(invalid).toMatchObject({ status: 400, body: { error: { code: 'invalid_argument' } } });
    expect(invalid.body.error?.message).toContain('tier');
    expect(await rpc({ nope: true })).toMatchObject({ status: 400, body: { error: { code: 'invalid_argument' } } });
    await expect(new AdminClient(admin.url, TOKEN).invoke('config:remove', { name: 'ghost' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('rejects a missing or wrong token', async () => {
    expect((await rpc({ command: 'state:get' }, {})).status).toBe(401);
    expect((await rpc({ command: 'state:get' }, { authorization: 'Bearer qcc-wrong' })).status).toBe(401);
    expect((await rpc({ command: 'state:get' }, { authorization: `Basic ${TOKEN}` })).status).toBe(401);
  });

  it('rejects a foreign Host (DNS rebinding) even with the right token', async () => {
    const response = await rpc({ command: 'state:get' }, { authorization: `Bearer ${TOKEN}`, host: 'evil.example:80' });
    expect(response.status).toBe(421);
  });

  it('rejects a foreign Origin, accepts its own, and never sends CORS headers', async () => {
    const foreign = await rpc({ command: 'state:get' }, { authorization: `Bearer ${TOKEN}`, origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    const own = await rpc({ command: 'state:get' }, { authorization: `Bearer ${TOKEN}`, origin: admin.url });
    expect(own.status).toBe(200);
    for (const response of [foreign, own]) {
      expect(Object.keys(response.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
    }
  });
});

describe('admin event stream', () => {
  it('sends the current snapshot, then engine events as they happen', async () => {
    const controller = new AbortController();
    const response = await request(`${admin.url}/api/events`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: controller.signal });
    expect(response.headers['content-type']).toContain('text/event-stream');
    let text = '';
    const seen = new Promise<void>((resolve) => {
      response.body.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        if (text.includes('event: history:appended')) resolve();
      });
    });
    await rpc({ command: 'config:add', args: { name: 'a', endpoints: [{ base_url: 'https://a.example', api_key: 'key-aaaaaaaaaaaa' }] } });
    await rpc({ command: 'config:add', args: { name: 'b', endpoints: [{ base_url: 'https://b.example', api_key: 'key-bbbbbbbbbbbb' }] } });
    await rpc({ command: 'failover:switch', args: { name: 'b', reason: 'stream test' } });
    await seen;
    controller.abort();
    expect(text.startsWith('event: state:changed\ndata: {')).toBe(true);
    expect(text).toContain('"reason":"stream test"');
    expect(text).not.toContain('key-aaaaaaaaaaaa');
  });

  it('needs the token too', async () => {
    const response = await request(`${admin.url}/api/events`);
    expect(response.statusCode).toBe(401);
    await response.body.dump();
  });
});

describe('static dashboard files', () => {
  it('serves files inside the folder with a CSP, and nothing outside it', async () => {
    const index = await request(`${admin.url}/`);
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-security-policy']).toContain("default-src 'self'");
    expect(await index.body.text()).toContain('<title>dash</title>');
    const asset = await request(`${admin.url}/assets/app.js`);
    expect(asset.headers['content-type']).toContain('javascript');
    await asset.body.dump();
    for (const path of ['/../qcc-secret-outside.txt', '/%2e%2e/qcc-secret-outside.txt', '/assets/..%2f..%2fqcc-secret-outside.txt']) {
      const response = await request(`${admin.url}${path}`);
      const body = await response.body.text();
      expect(body, path).not.toContain('TOP-SECRET-CONTENT');
    }
  });

  it('answers the health check without a token and without secrets', async () => {
    const response = await request(`${admin.url}/api/health`);
    expect(await response.body.json()).toEqual({ ok: true, service: 'qcc-admin', pid: 42 });
  });
});
