import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertCliError, sandbox, type CliSandbox } from './testing/run-cli.js';

// `qcc claude env | connect | disconnect | import`, run as a real subprocess with
// a temporary HOME, so the `~/.claude/settings.json` edited is the test's own.

/** Where `qcc claude env` points when no daemon runs: the default proxy port. */
const DEFAULT_PROXY_URL = 'http://127.0.0.1:7860';
const IMPORT_KEY = 'sk-ant-api03-claude-import-Im64';
const SETTINGS_KEY = 'sk-ant-api03-claude-settings-St31';

function settingsPath(box: CliSandbox): string {
  return join(box.home, '.claude', 'settings.json');
}

async function writeClaudeSettings(box: CliSandbox, text: string): Promise<void> {
  await mkdir(join(box.home, '.claude'), { recursive: true });
  await writeFile(settingsPath(box), text);
}

interface ConfigJson {
  name: string;
  description: string;
  endpoints: { base_url: string; key_hint: string; auth_style: string }[];
}

describe.concurrent('qcc claude env (subprocess)', { timeout: 60_000 }, () => {
  it('prints posix exports with the proxy URL and token; --shell fish and powershell; a bad --shell is a usage error', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    const [posix, fish, powershell, bad] = await Promise.all([
      box.run(['claude', 'env']),
      box.run(['claude', 'env', '--shell', 'fish']),
      box.run(['claude', 'env', '--shell', 'powershell']),
      box.run(['claude', 'env', '--shell', 'zsh']),
    ]);
    expect(posix.code, posix.describe()).toBe(0);
    // The token is the proxy's, created on first use (what `qcc proxy token` prints).
    const token = (await readFile(join(box.qccHome, 'proxy-token'), 'utf8')).trim();
    expect(token).toMatch(/^qcc-/);
    expect(posix.stdout.trim().split('\n')).toEqual([
      'unset ANTHROPIC_API_KEY',
      `export ANTHROPIC_BASE_URL='${DEFAULT_PROXY_URL}'`,
      `export ANTHROPIC_AUTH_TOKEN='${token}'`,
    ]);
    expect(fish.code, fish.describe()).toBe(0);
    expect(fish.stdout).toContain(`set -gx ANTHROPIC_BASE_URL '${DEFAULT_PROXY_URL}'`);
    expect(fish.stdout).toContain(`set -gx ANTHROPIC_AUTH_TOKEN '${token}'`);
    expect(powershell.code, powershell.describe()).toBe(0);
    expect(powershell.stdout).toContain(`$env:ANTHROPIC_BASE_URL = '${DEFAULT_PROXY_URL}'`);
    expect(powershell.stdout).toContain(`$env:ANTHROPIC_AUTH_TOKEN = '${token}'`);
    assertCliError(bad, 2, '--shell', 'zsh', 'posix, fish, powershell');
  });
});

describe.concurrent('qcc claude connect / disconnect (subprocess)', { timeout: 60_000 }, () => {
  it('connect sets env.ANTHROPIC_BASE_URL and ANTHROPIC_AUTH_TOKEN and keeps other keys; disconnect restores the file exactly', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    const original = '{\n    "model": "opus",\n    "env": { "FOO": "bar" },\n    "permissions": { "allow": ["Bash(ls)"] }\n}\n';
    await writeClaudeSettings(box, original);

    const connected = await box.run(['claude', 'connect']);
    expect(connected.code, connected.describe()).toBe(0);
    expect(connected.stdout).toContain(`✓ Claude Code now talks to QCC at ${DEFAULT_PROXY_URL}`);
    expect(connected.stdout).toContain('The proxy is not running yet');
    const token = (await readFile(join(box.qccHome, 'proxy-token'), 'utf8')).trim();
    const settings = JSON.parse(await readFile(settingsPath(box), 'utf8')) as Record<string, unknown>;
    expect(settings).toEqual({
      model: 'opus',
      env: { FOO: 'bar', ANTHROPIC_BASE_URL: DEFAULT_PROXY_URL, ANTHROPIC_AUTH_TOKEN: token },
      permissions: { allow: ['Bash(ls)'] },
    });

    const disconnected = await box.run(['claude', 'disconnect']);
    expect(disconnected.code, disconnected.describe()).toBe(0);
    expect(disconnected.stdout).toContain('✓ Claude Code settings restored');
    expect(await readFile(settingsPath(box), 'utf8')).toBe(original);

    const again = await box.run(['claude', 'disconnect']);
    expect(again.code, again.describe()).toBe(0);
    expect(again.stdout).toContain('was not connected');
    expect(await readFile(settingsPath(box), 'utf8')).toBe(original);
  });

  it('connect without a settings.json creates one; disconnect removes it again', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    await box.ok(['claude', 'connect']);
    const settings = JSON.parse(await readFile(settingsPath(box), 'utf8')) as { env: Record<string, string> };
    expect(settings.env.ANTHROPIC_BASE_URL).toBe(DEFAULT_PROXY_URL);
    expect(settings.env.ANTHROPIC_AUTH_TOKEN).toMatch(/^qcc-/);
    await box.ok(['claude', 'disconnect']);
    expect(existsSync(settingsPath(box))).toBe(false);
  });

  it('connect on a malformed settings.json fails with one line naming the file and leaves it untouched', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    await writeClaudeSettings(box, '{ "env": { "ANTHROPIC_API_KEY": "sk-ant-oops", }');
    const result = await box.run(['claude', 'connect']);
    assertCliError(result, 1, 'settings.json', 'not valid JSON');
    expect(result.stderr).not.toContain('sk-ant-oops');
    expect(await readFile(settingsPath(box), 'utf8')).toBe('{ "env": { "ANTHROPIC_API_KEY": "sk-ant-oops", }');
  });
});

describe.concurrent('qcc claude import (subprocess)', { timeout: 60_000 }, () => {
  it('imports ANTHROPIC_API_KEY from the environment as a config whose key hint matches', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    const env = { ANTHROPIC_API_KEY: IMPORT_KEY };
    // With no configs yet, `list` offers the import.
    expect(await box.ok(['list'], { env })).toContain('qcc claude import');

    const result = await box.run(['claude', 'import'], { env });
    expect(result.code, result.describe()).toBe(0);
    expect(result.stdout).toContain("as config 'claude-code'");
    expect(result.stdout).not.toContain(IMPORT_KEY);
    const configs = await box.json<ConfigJson[]>(['list', '--json']);
    expect(configs).toHaveLength(1);
    expect(configs[0]).toMatchObject({ name: 'claude-code', endpoints: [{ base_url: 'https://api.anthropic.com', auth_style: 'x-api-key' }] });
    expect(configs[0]?.endpoints[0]?.key_hint).toMatch(/Im64$/);
    expect(IMPORT_KEY.endsWith((configs[0]?.endpoints[0]?.key_hint ?? '').replace(/^.*…/, ''))).toBe(true);

    // Importing the same again is a duplicate name: exit 1, one line.
    assertCliError(await box.run(['claude', 'import'], { env }), 1, 'claude-code', 'already exists');
  });

  it('imports a bearer token and base URL from ~/.claude/settings.json under --name', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    await writeClaudeSettings(box, JSON.stringify({ env: { ANTHROPIC_BASE_URL: 'https://relay.example.com/api', ANTHROPIC_AUTH_TOKEN: SETTINGS_KEY } }));
    const result = await box.run(['claude', 'import', '--name', 'relay']);
    expect(result.code, result.describe()).toBe(0);
    expect(result.stdout).toContain("as config 'relay'");
    const configs = await box.json<ConfigJson[]>(['list', '--json']);
    expect(configs[0]).toMatchObject({
      name: 'relay',
      endpoints: [{ base_url: 'https://relay.example.com/api', auth_style: 'bearer', key_hint: expect.stringMatching(/St31$/) }],
    });
  });

  it('after connect, imports the original upstream (from the backup), never QCC itself', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    await writeClaudeSettings(box, JSON.stringify({ env: { ANTHROPIC_API_KEY: SETTINGS_KEY } }));
    await box.ok(['claude', 'connect']);
    await box.ok(['claude', 'import']);
    const configs = await box.json<ConfigJson[]>(['list', '--json']);
    expect(configs[0]?.endpoints[0]).toMatchObject({ base_url: 'https://api.anthropic.com', key_hint: expect.stringMatching(/St31$/) });
  });

  it('with nothing to import fails with exit 1 and one line', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    const result = await box.run(['claude', 'import']);
    assertCliError(result, 1, 'no Claude Code API settings');
    expect(existsSync(join(box.qccHome, 'settings.json'))).toBe(false);
  });
});
