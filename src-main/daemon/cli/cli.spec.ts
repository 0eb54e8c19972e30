import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, assertCliError, sandbox } from './testing/run-cli.js';

// The CLI as a whole, run as a real subprocess (bin/qcc.mjs through tsx):
// help, version, unknown commands, strict flags, and $QCC_HOME.

/** One line of USAGE per command; every one must be documented by `qcc help`. */
const DOCUMENTED = [
  'qcc add NAME --base-url URL --api-key KEY',
  'qcc list [--json]',
  'qcc remove NAME',
  'qcc endpoint add NAME',
  'qcc endpoint list NAME',
  'qcc endpoint remove NAME ENDPOINT_ID',
  'qcc priority set NAME',
  'qcc priority list',
  'qcc priority policy',
  'qcc priority switch NAME',
  'qcc priority unpin',
  'qcc priority history',
  'qcc health',
  'qcc proxy start',
  'qcc proxy stop',
  'qcc proxy status',
  'qcc proxy logs',
  'qcc proxy token',
  'qcc claude env',
  'qcc claude connect | disconnect',
  'qcc claude import',
  'qcc demo',
];

describe.concurrent('qcc (subprocess): help, version and unknown commands', { timeout: 60_000 }, () => {
  it.for(['help', '--help'])('`qcc %s` lists every command and exits 0', async (flag, { onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    const result = await box.run([flag]);
    expect(result.code, result.describe()).toBe(0);
    expect(result.stderr).toBe('');
    for (const line of DOCUMENTED) expect(result.stdout).toContain(line);
    expect(result.stdout).toContain('$QCC_HOME');
  });

  it('with no arguments prints the usage and exits 2', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    const result = await box.run([]);
    expect(result.code, result.describe()).toBe(2);
    // The usage goes to stdout today; what matters is that it is shown and the exit code says "usage".
    const shown = result.stdout + result.stderr;
    expect(shown).toContain('Usage: qcc COMMAND');
    for (const line of DOCUMENTED) expect(shown).toContain(line);
  });

  it('rejects an unknown command with exit 2 and one line naming it', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    const result = await box.run(['frobnicate', '--json']);
    assertCliError(result, 2, "unknown command 'frobnicate'", 'qcc --help');
  });

  it('`qcc --version` prints the package version', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = await box.run(['--version']);
    expect(result.code, result.describe()).toBe(0);
    expect(result.stdout.trim()).toBe(version);
    expect(result.stderr).toBe('');
  });

  it.for<[string[], string]>([
    [['endpoint'], 'missing subcommand'],
    [['proxy', 'restart'], "unknown subcommand 'restart'"],
  ])('`qcc %j` is a usage error (exit 2)', async ([argv, message], { onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    assertCliError(await box.run(argv), 2, message);
  });

  it.for<[string[], string]>([
    [['remove', 'a', 'b'], "unexpected argument 'b'"],
    [['endpoint', 'remove', 'a'], 'missing ENDPOINT_ID'],
    [['add', 'x', '--base-url'], '--base-url'],
  ])('`qcc %j`: wrong arguments are a usage error (exit 2)', async ([argv, message], { onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    assertCliError(await box.run(argv), 2, message);
  });
});

describe.concurrent('qcc (subprocess): a typo in a flag is caught, not ignored', { timeout: 60_000 }, () => {
  it.for<[string[], string]>([
    [['list', '--jsno'], '--jsno'],
    [['add', 'prod', '--base-url', 'https://api.example.com', '--api-key', 'sk-ant-typo-0000', '--descripton', 'x'], '--descripton'],
    [['priority', 'policy', '--failure-treshold', '5'], '--failure-treshold'],
    [['proxy', 'start', '--prot', '0'], '--prot'],
    [['claude', 'env', '--shel', 'fish'], '--shel'],
  ])('`qcc %j` exits 2 naming the flag and changes nothing', async ([argv, flag], { onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    const result = await box.run(argv);
    assertCliError(result, 2, `unknown option '${flag}'`);
    // Rejected before doing anything: no settings written, no daemon started.
    expect(existsSync(join(box.qccHome, 'settings.json'))).toBe(false);
    expect(existsSync(join(box.qccHome, 'daemon.json'))).toBe(false);
  });

  it('a typo next to a valid flag rejects the whole command (the valid flag is not applied)', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    const result = await box.run(['priority', 'policy', '--failure-threshold', '7', '--sucess-threshold', '2']);
    assertCliError(result, 2, '--sucess-threshold');
    const policy = await box.json<{ failure_threshold: number }>(['priority', 'policy', '--json']);
    expect(policy.failure_threshold).toBe(3);
  });
});

describe.concurrent('qcc demo (subprocess)', { timeout: 60_000 }, () => {
  it('runs the scripted session from stdin, fails over when prod breaks, and cleans up after itself', { timeout: 60_000 }, async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    const script = ['send', 'break prod-a', 'break prod-b', 'send 2', 'break nowhere', 'status', 'history', 'quit', ''].join('\n');
    const result = await box.run(['demo'], { input: script, timeoutMs: 45_000 });
    expect(result.code, result.describe()).toBe(0);
    expect(result.stdout).toMatch(/→ ✓ 200 served by production/);
    expect(result.stdout).toMatch(/→ ✓ 200 served by backup/);
    expect(result.stdout).toContain('🔄 FAILOVER');
    expect(result.stdout).toMatch(/^🔵 SECONDARY \[✓\]$/m);
    expect(result.stdout.trimEnd().endsWith('Demo stopped.')).toBe(true);
    expect(result.stderr.trim()).toBe("demo: no upstream 'nowhere'; choose prod-a, prod-b, backup, emergency");
    // Its data lives in a throw-away directory, removed at the end; the user's $QCC_HOME is not touched.
    const dataDir = /data in ([^)]+)\)/.exec(result.stdout)?.[1];
    expect(dataDir).toBeDefined();
    expect(existsSync(dataDir as string)).toBe(false);
    expect(existsSync(box.qccHome)).toBe(false);
  });

  it('rejects a typo in its flags', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    assertCliError(await box.run(['demo', '--prot', '0']), 2, "unknown option '--prot'");
  });
});

describe.concurrent('qcc (subprocess): $QCC_HOME selects the data directory', { timeout: 60_000 }, () => {
  it('keeps each $QCC_HOME separate and never touches ~/.qcc', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    await box.ok(['add', 'only-here', '--base-url', 'https://api.example.com', '--api-key', 'sk-ant-home-1111']);
    expect(existsSync(join(box.qccHome, 'settings.json'))).toBe(true);
    expect(existsSync(join(box.home, '.qcc'))).toBe(false);

    const other = join(box.root, 'other-home');
    const elsewhere = await box.json<unknown[]>(['list', '--json'], { env: { QCC_HOME: other } });
    expect(elsewhere).toEqual([]);
    const here = await box.json<{ name: string }[]>(['list', '--json']);
    expect(here.map((config) => config.name)).toEqual(['only-here']);
  });

  it('without $QCC_HOME uses ~/.qcc', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    await box.ok(['add', 'default-home', '--base-url', 'https://api.example.com', '--api-key', 'sk-ant-home-2222'], { env: { QCC_HOME: undefined } });
    expect(existsSync(join(box.home, '.qcc', 'settings.json'))).toBe(true);
    expect(existsSync(box.qccHome)).toBe(false);
  });
});
