import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyHint } from '../../../src-shared/model/config.js';
import { emptySettings } from '../../../src-shared/model/settings.js';
import type { EndpointJson } from './testing/cli-json.js';
import { daemonRpc, sendMessage, startDaemon } from './testing/daemon-client.js';
import { fakeUpstreams } from './testing/fake-upstreams.js';
import { SandboxTemplate, assertCliError, sandbox, type CliResult, type CliSandbox, type OnTestFinished } from './testing/run-cli.js';

// `qcc endpoint update NAME ENDPOINT_ID …`, run as a real subprocess against a
// temporary $QCC_HOME: without a daemon (the CLI runs the engine itself) and
// with the real detached daemon (the CLI goes through its admin RPC, and live
// traffic follows at once).

const OLD_KEY = 'sk-ant-api03-update-oldSECRET-Ol11';
const NEW_KEY = 'sk-ant-api03-update-newSECRET-Nw22';
const OTHER_KEY = 'sk-ant-api03-update-otherSECRET-Ot33';
const SECRETS = [OLD_KEY, NEW_KEY, OTHER_KEY];
const [OLD_HINT, NEW_HINT, OTHER_HINT] = SECRETS.map(keyHint) as [string, string, string];

/** No API key anywhere in what the command printed. */
function expectNoSecret(result: CliResult): void {
  for (const secret of SECRETS) {
    expect(result.stdout, result.describe()).not.toContain(secret);
    expect(result.stderr, result.describe()).not.toContain(secret);
  }
}

// One config `work` with one endpoint (x-api-key, enabled), made once with real commands, then copied into each test.
const work = new SandboxTemplate(async (box) => {
  await box.ok(['add', 'work', '--base-url', 'https://api.anthropic.com', '--api-key', OLD_KEY]);
  const [endpoint] = await box.json<EndpointJson[]>(['endpoint', 'list', 'work', '--json']);
  if (!endpoint) throw new Error('template has no endpoint');
  return endpoint.id;
});
afterAll(() => work.dispose());

async function withWork(onTestFinished: OnTestFinished): Promise<{ box: CliSandbox; id: string }> {
  const { box, seed: id } = await work.copy(onTestFinished);
  return { box, id };
}

async function endpointsOf(box: CliSandbox, config = 'work'): Promise<EndpointJson[]> {
  return box.json<EndpointJson[]>(['endpoint', 'list', config, '--json']);
}

describe.concurrent('qcc endpoint update without a daemon (subprocess)', { timeout: 60_000 }, () => {
  it('replaces the key: prints the new hint, never the key, and the next command sees it', async ({ onTestFinished }) => {
    const { box, id } = await withWork(onTestFinished);
    const result = await box.run(['endpoint', 'update', 'work', id, '--api-key', NEW_KEY]);
    expect(result.code, result.describe()).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(`✓ Updated endpoint ${id} of 'work' (key): https://api.anthropic.com  key ${NEW_HINT} (x-api-key)`);
    expectNoSecret(result);

    const [endpoint] = await endpointsOf(box);
    expect(endpoint).toMatchObject({ id, base_url: 'https://api.anthropic.com', auth_style: 'x-api-key', enabled: true, key_hint: expect.stringMatching(/Nw22$/) });
    // Stored for real (this process has no keychain, so the file holds the key as typed, mode 0600).
    const stored = await readFile(join(box.qccHome, 'settings.json'), 'utf8');
    expect(stored).toContain(NEW_KEY);
    expect(stored).not.toContain(OLD_KEY);
  });

  it('changes base URL, auth and enabled in one call, keeping the key; --enable turns it back on', async ({ onTestFinished }) => {
    const { box, id } = await withWork(onTestFinished);
    const result = await box.run(['endpoint', 'update', 'work', id, '--base-url', 'https://eu.example.com/anthropic/', '--auth', 'bearer', '--disable']);
    expect(result.code, result.describe()).toBe(0);
    expect(result.stdout.trim()).toBe(`✓ Updated endpoint ${id} of 'work' (base URL, auth, disabled): https://eu.example.com/anthropic  key ${OLD_HINT} (bearer)  disabled`);
    expectNoSecret(result);
    expect(await endpointsOf(box)).toEqual([
      expect.objectContaining({ id, base_url: 'https://eu.example.com/anthropic', auth_style: 'bearer', enabled: false, key_hint: expect.stringMatching(/Ol11$/) }),
    ]);
    expect(await box.ok(['endpoint', 'list', 'work'])).toContain(`${id}  https://eu.example.com/anthropic  key ${OLD_HINT} (bearer)  disabled`);

    const enabled = await box.run(['endpoint', 'update', 'work', id, '--enable']);
    expect(enabled.code, enabled.describe()).toBe(0);
    expect(enabled.stdout.trim()).toBe(`✓ Updated endpoint ${id} of 'work' (enabled): https://eu.example.com/anthropic  key ${OLD_HINT} (bearer)`);
    expect((await endpointsOf(box))[0]).toMatchObject({ enabled: true, auth_style: 'bearer' });
  });

  it('--json prints the updated endpoint as one document with a key hint and no key', async ({ onTestFinished }) => {
    const { box, id } = await withWork(onTestFinished);
    const result = await box.run(['endpoint', 'update', 'work', id, '--api-key', NEW_KEY, '--auth', 'bearer', '--json']);
    expect(result.code, result.describe()).toBe(0);
    expectNoSecret(result);
    const endpoint = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(endpoint).toMatchObject({ id, base_url: 'https://api.anthropic.com', auth_style: 'bearer', enabled: true, key_hint: expect.stringMatching(/Nw22$/) });
    expect(Object.keys(endpoint)).not.toContain('api_key');
  });

  it('only touches the named endpoint of the named config', async ({ onTestFinished }) => {
    const { box, id } = await withWork(onTestFinished);
    await box.ok(['endpoint', 'add', 'work', '--base-url', 'https://second.example.com', '--api-key', OTHER_KEY]);
    await box.ok(['add', 'spare', '--base-url', 'https://spare.example.com', '--api-key', OTHER_KEY]);
    const before = await endpointsOf(box);
    const second = before[1] as EndpointJson;
    await box.ok(['endpoint', 'update', 'work', second.id, '--disable', '--api-key', NEW_KEY]);
    const after = await endpointsOf(box);
    expect(after[0]).toEqual(before[0]);
    expect(after[0]?.id).toBe(id);
    expect(after[1]).toMatchObject({ id: second.id, enabled: false, key_hint: expect.stringMatching(/Nw22$/), base_url: 'https://second.example.com' });
    expect((await endpointsOf(box, 'spare'))[0]).toMatchObject({ enabled: true, key_hint: expect.stringMatching(/Ot33$/) });
  });

  it('usage errors (exit 2) name the wrong argument, change nothing and never echo the key', async ({ onTestFinished }) => {
    const { box, id } = await withWork(onTestFinished);
    const settings = join(box.qccHome, 'settings.json');
    const before = await readFile(settings, 'utf8');
    const cases: [string[], ...string[]][] = [
      [['endpoint', 'update'], 'qcc endpoint update:', 'missing NAME ENDPOINT_ID'],
      [['endpoint', 'update', 'work', '--api-key', NEW_KEY], 'missing ENDPOINT_ID'],
      [['endpoint', 'update', 'work', id], 'nothing to change', '--api-key', '--base-url', '--auth', '--enable', '--disable'],
      [['endpoint', 'update', 'work', id, '--enable', '--disable'], '--enable and --disable'],
      [['endpoint', 'update', 'work', id, '--disable', '--api-key', NEW_KEY, '--enable'], '--enable and --disable'],
      [['endpoint', 'update', 'work', id, '--api-key', NEW_KEY, '--colour', 'red'], "unknown option '--colour'"],
      [['endpoint', 'update', 'work', id, '--api-key', NEW_KEY, '--description', 'x'], "unknown option '--description'"],
      [['endpoint', 'update', 'work', id, '--auth', 'basic'], '--auth', 'x-api-key, bearer', "'basic'"],
      [['endpoint', 'update', 'work', id, '--api-key'], "option '--api-key' needs a value"],
      [['endpoint', 'update', 'work', id, '--api-key', '--enable'], "option '--api-key' needs a value", '--api-key=VALUE'],
      [['endpoint', 'update', 'work', id, '--base-url'], "option '--base-url' needs a value"],
      [['endpoint', 'update', 'work', id, 'extra', '--api-key', NEW_KEY], "unexpected argument 'extra'"],
      [['endpoint', 'frobnicate', 'work', id], "unknown subcommand 'frobnicate'"],
    ];
    const results = await Promise.all(cases.map(([args]) => box.run(args)));
    results.forEach((result, index) => {
      const [, ...mustInclude] = cases[index] as [string[], ...string[]];
      assertCliError(result, 2, ...mustInclude);
      expect(result.stderr).toContain('(see qcc --help)');
      expectNoSecret(result);
    });
    expect(await readFile(settings, 'utf8')).toBe(before);
  });

  it('engine errors (exit 1): unknown config or endpoint, invalid URL, bad key; nothing changes, the key is never echoed', async ({ onTestFinished }) => {
    const { box, id } = await withWork(onTestFinished);
    const settings = join(box.qccHome, 'settings.json');
    const before = await readFile(settings, 'utf8');
    const [noConfig, noEndpoint, badId, credentialsUrl, mailto, spacedKey, emptyKey] = await Promise.all([
      box.run(['endpoint', 'update', 'nope', id, '--api-key', NEW_KEY]),
      box.run(['endpoint', 'update', 'work', 'ep-doesnotexist', '--api-key', NEW_KEY]),
      box.run(['endpoint', 'update', 'work', 'Not_An_Id', '--enable']),
      box.run(['endpoint', 'update', 'work', id, '--base-url', 'https://user:pass@api.example.com', '--api-key', NEW_KEY]),
      box.run(['endpoint', 'update', 'work', id, '--base-url', 'mailto:x@example.com']),
      box.run(['endpoint', 'update', 'work', id, '--api-key', `${NEW_KEY} x`]),
      box.run(['endpoint', 'update', 'work', id, '--api-key', '']),
    ]);
    assertCliError(noConfig as CliResult, 1, 'nope');
    assertCliError(noEndpoint as CliResult, 1, 'ep-doesnotexist');
    assertCliError(badId as CliResult, 1, 'endpoint_id');
    assertCliError(credentialsUrl as CliResult, 1, 'base_url', 'http:// or https://');
    assertCliError(mailto as CliResult, 1, 'base_url');
    assertCliError(spacedKey as CliResult, 1, 'api_key', 'without spaces');
    assertCliError(emptyKey as CliResult, 1, 'api_key', 'empty');
    for (const result of [noConfig, noEndpoint, badId, credentialsUrl, mailto, spacedKey, emptyKey] as CliResult[]) expectNoSecret(result);
    expect(await readFile(settings, 'utf8')).toBe(before);
  });

  it('help lists the command with every option', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    const help = await box.ok(['--help']);
    expect(help).toMatch(/qcc endpoint update NAME ENDPOINT_ID \[--api-key KEY\] \[--base-url URL\] \[--auth x-api-key\|bearer\]\s+\[--enable\|--disable\] \[--json\]/);
  });
});

describe.concurrent('qcc endpoint update for a key this CLI cannot read (subprocess)', { timeout: 60_000 }, () => {
  it('`qcc endpoint update <cfg> <id> --api-key <key>`, as the warning says, re-enters it and the endpoint is back', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    // What the desktop app writes: the key sealed with the OS keychain, which plain Node cannot open.
    await mkdir(box.qccHome, { recursive: true, mode: 0o700 });
    const sealed = 'qcc-sealed:v1:c2VhbGVkLWJ5LXRoZS1kZXNrdG9wLWFwcA==';
    await writeFile(
      join(box.qccHome, 'settings.json'),
      JSON.stringify({
        ...emptySettings(),
        configs: [{ name: 'work', description: '', endpoints: [{ id: 'ep-1', base_url: 'https://api.anthropic.com', api_key: sealed, auth_style: 'x-api-key', enabled: true }], message_probe: null }],
        tiers: { primary: ['work'], secondary: [], fallback: [], disabled: [] },
        active_config: 'work',
      }),
      { mode: 0o600 },
    );
    const listed = await box.run(['endpoint', 'list', 'work', '--json']);
    expect(listed.code, listed.describe()).toBe(0);
    expect(listed.stderr).toContain('qcc endpoint update work ep-1 --api-key <key>');
    // Its flag is as stored; the key it cannot read is shown as such, and never used.
    expect((JSON.parse(listed.stdout) as EndpointJson[])[0]).toMatchObject({ id: 'ep-1', enabled: true, key_hint: 'unavailable here' });

    // The exact spelling the warning gives, with <key> filled in.
    const updated = await box.run(['endpoint', 'update', 'work', 'ep-1', '--api-key', NEW_KEY]);
    expect(updated.code, updated.describe()).toBe(0);
    // Enabled again at once (no "disabled" after the hint).
    expect(updated.stdout.trim()).toBe(`✓ Updated endpoint ep-1 of 'work' (key): https://api.anthropic.com  key ${NEW_HINT} (x-api-key)`);
    expectNoSecret(updated);

    // Re-entered: no more warning, and the stored enabled flag is back.
    const after = await box.run(['endpoint', 'list', 'work', '--json']);
    expect(after.code, after.describe()).toBe(0);
    expect(after.stderr).toBe('');
    expect((JSON.parse(after.stdout) as EndpointJson[])[0]).toMatchObject({ id: 'ep-1', enabled: true, key_hint: expect.stringMatching(/Nw22$/) });
    expect(await readFile(join(box.qccHome, 'settings.json'), 'utf8')).not.toContain(sealed);
  });
});

interface SnapshotJson {
  tiers: { configs: { name: string; endpoints: EndpointJson[] }[] }[];
}

function daemonEndpoint(snapshot: SnapshotJson, config: string): EndpointJson | undefined {
  return snapshot.tiers.flatMap((group) => group.configs).find((entry) => entry.name === config)?.endpoints[0];
}

describe('qcc endpoint update with a running daemon (subprocess)', { timeout: 120_000 }, () => {
  // Each fake insists on its key, so a 200 through the proxy proves which key the daemon now sends.
  const upstreams = fakeUpstreams({ first: { apiKey: NEW_KEY }, second: { apiKey: OTHER_KEY } });
  beforeAll(upstreams.start);
  afterAll(upstreams.stop);

  it('goes through the daemon: key, base URL, auth and enabled apply to live traffic at once; errors as without it', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    const { first, second } = upstreams.fakes;
    await box.ok(['add', 'work', '--base-url', first.url, '--api-key', OLD_KEY]);
    const [endpoint] = await endpointsOf(box);
    const id = (endpoint as EndpointJson).id;

    const { result: started, state } = await startDaemon(box);
    expect(started.code, started.describe()).toBe(0);
    const proxyUrl = state?.proxy_url as string;
    const auth = { 'x-api-key': (await box.ok(['proxy', 'token'])).trim() };

    // The stored key is wrong for this upstream: refused.
    const refused = await sendMessage(proxyUrl, auth);
    expect(refused.status, refused.text).not.toBe(200);

    // New key: the daemon holds it and uses it on the very next request.
    const rekeyed = await box.run(['endpoint', 'update', 'work', id, '--api-key', NEW_KEY]);
    expect(rekeyed.code, rekeyed.describe()).toBe(0);
    expect(rekeyed.stdout).toContain(`✓ Updated endpoint ${id} of 'work' (key): ${first.url}  key ${NEW_HINT} (x-api-key)`);
    expectNoSecret(rekeyed);
    expect(daemonEndpoint(await daemonRpc<SnapshotJson>(box, 'state:get'), 'work')).toMatchObject({ id, key_hint: expect.stringMatching(/Nw22$/) });
    const served = await sendMessage(proxyUrl, auth);
    expect(served.status, served.text).toBe(200);
    expect(served.text).toContain('Hello from first.');
    expect(first.received.filter((request) => request.url === '/v1/messages').at(-1)?.headers['x-api-key']).toBe(NEW_KEY);

    // Base URL, auth style and key together, reported as JSON: the next request goes to the other upstream, as a bearer token.
    const moved = await box.run(['endpoint', 'update', 'work', id, '--base-url', second.url, '--auth', 'bearer', '--api-key', OTHER_KEY, '--json']);
    expect(moved.code, moved.describe()).toBe(0);
    expectNoSecret(moved);
    expect(JSON.parse(moved.stdout)).toMatchObject({ id, base_url: second.url, auth_style: 'bearer', enabled: true, key_hint: OTHER_HINT });
    const servedBySecond = await sendMessage(proxyUrl, auth);
    expect(servedBySecond.status, servedBySecond.text).toBe(200);
    expect(servedBySecond.text).toContain('Hello from second.');
    expect(second.received.filter((request) => request.url === '/v1/messages').at(-1)?.headers.authorization).toBe(`Bearer ${OTHER_KEY}`);

    // --disable: the daemon has it off, and its only endpoint off means no upstream serves.
    const disabled = await box.run(['endpoint', 'update', 'work', id, '--disable']);
    expect(disabled.code, disabled.describe()).toBe(0);
    expect(daemonEndpoint(await daemonRpc<SnapshotJson>(box, 'state:get'), 'work')).toMatchObject({ enabled: false });
    const servedBefore = second.received.length;
    expect((await sendMessage(proxyUrl, auth)).status).not.toBe(200);
    expect(second.received.length).toBe(servedBefore);
    const reenabled = await box.run(['endpoint', 'update', 'work', id, '--enable']);
    expect(reenabled.code, reenabled.describe()).toBe(0);
    expect(daemonEndpoint(await daemonRpc<SnapshotJson>(box, 'state:get'), 'work')).toMatchObject({ enabled: true });

    // Errors through the daemon read the same as without it.
    const [noEndpoint, badUrl, nothing] = await Promise.all([
      box.run(['endpoint', 'update', 'work', 'ep-doesnotexist', '--api-key', NEW_KEY]),
      box.run(['endpoint', 'update', 'work', id, '--base-url', 'https://user:pass@api.example.com', '--api-key', NEW_KEY]),
      box.run(['endpoint', 'update', 'work', id]),
    ]);
    assertCliError(noEndpoint as CliResult, 1, 'ep-doesnotexist');
    assertCliError(badUrl as CliResult, 1, 'base_url');
    assertCliError(nothing as CliResult, 2, 'nothing to change');
    for (const result of [noEndpoint, badUrl, nothing] as CliResult[]) expectNoSecret(result);

    // The daemon persisted it all: after stop, the CLI (running the engine itself) reads the same.
    const stopped = await box.run(['proxy', 'stop'], { timeoutMs: 30_000 });
    expect(stopped.code, stopped.describe()).toBe(0);
    expect((await endpointsOf(box))[0]).toMatchObject({ id, base_url: second.url, auth_style: 'bearer', enabled: true, key_hint: expect.stringMatching(/Ot33$/) });
  });
});
