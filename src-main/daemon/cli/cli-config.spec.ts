import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EndpointJson } from './testing/cli-json.js';
import { SandboxTemplate, assertCliError, sandbox, type CliSandbox, type OnTestFinished } from './testing/run-cli.js';

// `qcc add | list | remove | endpoint add|list|remove`, run as a real subprocess
// against a temporary $QCC_HOME.

const PROD_KEY = 'sk-ant-api03-prodSECRETkey-Zq81';
const BACKUP_KEY = 'sk-ant-api03-backupSECRETkey-Lm42';
const EXTRA_KEY = 'sk-ant-api03-extraSECRETkey-Xy77';

interface ConfigJson {
  name: string;
  description: string;
  tier: string;
  position: number;
  active: boolean;
  health: { status: string; healthy_endpoints: number; total_endpoints: number; health_percentage: number };
  endpoints: EndpointJson[];
}

/** Every property name in a JSON value, at any depth. */
function keysDeep(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) keysDeep(item, into);
  else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      into.add(key);
      keysDeep(child, into);
    }
  }
  return into;
}

// Two configs made once with real commands (by the first test that needs them, so the others
// need not wait), then copied into each test's own $QCC_HOME.
const twoConfigs = new SandboxTemplate(async (box) => {
  await box.ok(['add', 'production', '--base-url', 'https://api.anthropic.com', '--api-key', PROD_KEY, '--auth', 'bearer', '--description', 'Main account']);
  await box.ok(['add', 'backup', '--base-url', 'https://backup.example.com/anthropic', '--api-key', BACKUP_KEY]);
});
afterAll(() => twoConfigs.dispose());

async function withTwoConfigs(onTestFinished: OnTestFinished): Promise<CliSandbox> {
  return (await twoConfigs.copy(onTestFinished)).box;
}

describe.concurrent('qcc add / list / remove (subprocess)', { timeout: 60_000 }, () => {
  it('add with --auth bearer and --description, then list --json shows it with a key hint and never the key', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    const added = await box.run(['add', 'production', '--base-url', 'https://api.anthropic.com', '--api-key', PROD_KEY, '--auth', 'bearer', '--description', 'Main account']);
    expect(added.code, added.describe()).toBe(0);
    expect(added.stderr).toBe('');
    expect(added.stdout).toContain("✓ Added config 'production' to the primary tier (position 1)");
    expect(added.stdout).toContain('(bearer)');
    expect(added.stdout).toContain('Z'.concat('q81'));
    expect(added.stdout).not.toContain(PROD_KEY);

    await box.ok(['add', 'backup', '--base-url', 'https://backup.example.com/anthropic', '--api-key', BACKUP_KEY]);
    const list = await box.run(['list', '--json']);
    expect(list.code, list.describe()).toBe(0);
    expect(list.stdout).not.toContain(PROD_KEY);
    expect(list.stdout).not.toContain(BACKUP_KEY);
    const configs = JSON.parse(list.stdout) as ConfigJson[];
    expect(Array.isArray(configs)).toBe(true);
    expect(configs).toHaveLength(2);
    expect(configs[0]).toMatchObject({
      name: 'production',
      description: 'Main account',
      tier: 'primary',
      position: 0,
      active: true,
      health: { status: expect.any(String), healthy_endpoints: 1, total_endpoints: 1, health_percentage: expect.any(Number) },
      endpoints: [{ id: expect.any(String), base_url: 'https://api.anthropic.com', auth_style: 'bearer', enabled: true, key_hint: expect.stringMatching(/Zq81$/) }],
    });
    expect(configs[1]).toMatchObject({
      name: 'backup',
      tier: 'primary',
      position: 1,
      active: false,
      endpoints: [{ base_url: 'https://backup.example.com/anthropic', auth_style: 'x-api-key', key_hint: expect.stringMatching(/Lm42$/) }],
    });
    const keys = keysDeep(configs);
    expect(keys.has('api_key')).toBe(false);
    expect(keys.has('apiKey')).toBe(false);
  });

  it('list (human) shows every config with its tier and the active marker', async ({ onTestFinished }) => {
    const box = await withTwoConfigs(onTestFinished);
    const result = await box.run(['list']);
    expect(result.code, result.describe()).toBe(0);
    expect(result.stdout).toContain('Configs (2):');
    expect(result.stdout).toMatch(/^▶ ⭐ production\s+primary #1/m);
    expect(result.stdout).toMatch(/^ {2}⭐ backup\s+primary #2/m);
    expect(result.stdout).toContain('Main account');
    expect(result.stdout).not.toContain(PROD_KEY);
  });

  it('list with no configs says how to add one; --json is an empty array', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    expect(await box.ok(['list'])).toContain('No configs yet. Add one: qcc add NAME');
    expect(await box.json(['list', '--json'])).toEqual([]);
  });

  it('add without --api-key (or --base-url) is a usage error naming the missing flag', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    const noKey = await box.run(['add', 'production', '--base-url', 'https://api.anthropic.com']);
    assertCliError(noKey, 2, '--api-key', 'required');
    const noUrl = await box.run(['add', 'production', '--api-key', PROD_KEY]);
    assertCliError(noUrl, 2, '--base-url', 'required');
    expect(noUrl.stderr).not.toContain(PROD_KEY);
    expect(await box.json(['list', '--json'])).toEqual([]);
  });

  it.for(['https://user:pass@api.example.com'])(
    'add with a bad --base-url %j fails (exit 1) naming base_url, without echoing the key',
    async (url, { onTestFinished }) => {
      const box = await sandbox(onTestFinished);
      const result = await box.run(['add', 'production', '--base-url', url, '--api-key', PROD_KEY]);
      assertCliError(result, 1, 'base_url');
      expect(result.stderr).not.toContain(PROD_KEY);
    },
  );

  it('add with an unknown --auth style is a usage error listing the choices', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    assertCliError(await box.run(['add', 'production', '--base-url', 'https://api.anthropic.com', '--api-key', PROD_KEY, '--auth', 'basic']), 2, '--auth', 'x-api-key, bearer');
  });

  it('add with a name that exists fails (exit 1) and keeps the original', async ({ onTestFinished }) => {
    const box = await withTwoConfigs(onTestFinished);
    const result = await box.run(['add', 'production', '--base-url', 'https://other.example.com', '--api-key', EXTRA_KEY]);
    assertCliError(result, 1, 'production', 'already exists');
    expect(result.stderr).not.toContain(EXTRA_KEY);
    const configs = await box.json<ConfigJson[]>(['list', '--json']);
    expect(configs.map((config) => config.name)).toEqual(['production', 'backup']);
    expect(configs[0]?.endpoints.map((endpoint) => endpoint.base_url)).toEqual(['https://api.anthropic.com']);
  });

  it('remove deletes a config (the next one becomes active); an unknown name fails with exit 1', async ({ onTestFinished }) => {
    const box = await withTwoConfigs(onTestFinished);
    const removed = await box.run(['remove', 'production']);
    expect(removed.code, removed.describe()).toBe(0);
    expect(removed.stdout).toContain("✓ Removed config 'production'");
    const configs = await box.json<ConfigJson[]>(['list', '--json']);
    expect(configs.map((config) => [config.name, config.active])).toEqual([['backup', true]]);

    assertCliError(await box.run(['remove', 'production']), 1, 'production');
  });
});

describe.concurrent('qcc with a damaged settings file (subprocess)', { timeout: 60_000 }, () => {
  it('says so on stderr (one warning line) instead of silently showing other configs; --json stays clean', async ({ onTestFinished }) => {
    const box = await withTwoConfigs(onTestFinished);
    await writeFile(join(box.qccHome, 'settings.json'), '{ "configs": [ oops');
    const result = await box.run(['list', '--json']);
    expect(result.code, result.describe()).toBe(0);
    const warnings = result.stderr.split('\n').filter(Boolean);
    expect(warnings, result.describe()).toHaveLength(1);
    expect(warnings[0]).toMatch(/^qcc: warning: .*settings\.json is not valid JSON.*moved to .*settings\.json\.corrupt-/);
    expect(warnings[0]).not.toContain(PROD_KEY);
    // The store's last good copy came back; stdout is still one JSON document.
    const configs = JSON.parse(result.stdout) as ConfigJson[];
    expect(configs.map((config) => config.name)).toContain('production');
    // Reported once: the next command starts from the repaired file.
    const next = await box.run(['list']);
    expect(next.code, next.describe()).toBe(0);
    expect(next.stderr).toBe('');
  });
});

describe.concurrent('qcc endpoint add / list / remove (subprocess)', { timeout: 60_000 }, () => {
  it('adds an endpoint, lists it (human and --json), removes it', async ({ onTestFinished }) => {
    const box = await withTwoConfigs(onTestFinished);
    const added = await box.run(['endpoint', 'add', 'production', '--base-url', 'https://eu.example.com', '--api-key', EXTRA_KEY, '--auth', 'x-api-key']);
    expect(added.code, added.describe()).toBe(0);
    expect(added.stdout).toMatch(/✓ Added endpoint \S+ to 'production': https:\/\/eu\.example\.com/);
    expect(added.stdout).not.toContain(EXTRA_KEY);

    const listed = await box.run(['endpoint', 'list', 'production', '--json']);
    expect(listed.code, listed.describe()).toBe(0);
    expect(listed.stdout).not.toContain(EXTRA_KEY);
    expect(listed.stdout).not.toContain(PROD_KEY);
    const endpoints = JSON.parse(listed.stdout) as EndpointJson[];
    expect(endpoints).toHaveLength(2);
    expect(endpoints[0]).toMatchObject({ base_url: 'https://api.anthropic.com', auth_style: 'bearer', key_hint: expect.stringMatching(/Zq81$/), enabled: true });
    expect(endpoints[1]).toMatchObject({ base_url: 'https://eu.example.com', auth_style: 'x-api-key', key_hint: expect.stringMatching(/Xy77$/), enabled: true });
    expect(endpoints[1]?.health).toMatchObject({ state: 'closed', credential_rejected: false });
    expect(keysDeep(endpoints).has('api_key')).toBe(false);
    const [first, second] = endpoints as [EndpointJson, EndpointJson];

    const human = await box.ok(['endpoint', 'list', 'production']);
    expect(human).toContain('Endpoints of production:');
    expect(human).toContain(`${first.id}  https://api.anthropic.com  key ${first.key_hint} (bearer)`);
    expect(human).toContain(`${second.id}  https://eu.example.com  key ${second.key_hint} (x-api-key)`);

    const removed = await box.run(['endpoint', 'remove', 'production', second.id]);
    expect(removed.code, removed.describe()).toBe(0);
    expect(removed.stdout).toContain(`✓ Removed endpoint ${second.id} from 'production'`);
    const after = await box.json<EndpointJson[]>(['endpoint', 'list', 'production', '--json']);
    expect(after.map((endpoint) => endpoint.id)).toEqual([first.id]);
  });

  it('errors: unknown config or endpoint (exit 1), missing flags (exit 2)', async ({ onTestFinished }) => {
    const box = await withTwoConfigs(onTestFinished);
    const results = await Promise.all([
      box.run(['endpoint', 'add', 'nope', '--base-url', 'https://eu.example.com', '--api-key', EXTRA_KEY]),
      box.run(['endpoint', 'list', 'nope']),
      box.run(['endpoint', 'remove', 'production', 'ep-doesnotexist']),
      box.run(['endpoint', 'add', 'production', '--base-url', 'mailto:x@example.com']),
    ]);
    const [unknownConfig, listUnknown, unknownEndpoint, missingKey] = results as [
      (typeof results)[0],
      (typeof results)[0],
      (typeof results)[0],
      (typeof results)[0],
    ];
    assertCliError(unknownConfig, 1, 'nope');
    expect(unknownConfig.stderr).not.toContain(EXTRA_KEY);
    assertCliError(listUnknown, 1, 'nope');
    assertCliError(unknownEndpoint, 1, 'ep-doesnotexist');
    assertCliError(missingKey, 2, '--api-key');
  });
});
