import { execFileSync } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ClaudeSettingsError,
  claudeSettingsPath,
  connectClaudeCode,
  detectClaudeUpstream,
  disconnectClaudeCode,
  isConnected,
  shellExports,
} from './claude-settings.js';

const PROXY = 'http://127.0.0.1:8787';
const TOKEN = 'qcc-proxy-token-SECRET-0001';
const REAL_KEY = 'sk-ant-real-key-SECRET-0002';
const POSIX_MODES = process.platform !== 'win32';

/** Everything a user might have in settings.json besides our three keys. */
const ORIGINAL = {
  $schema: 'https://json.schemastore.org/claude-code-settings.json',
  model: 'claude-sonnet-4-5',
  permissions: { allow: ['Bash(npm run test:*)', 'Read(~/.zshrc)'], deny: ['WebFetch'], defaultMode: 'acceptEdits' },
  hooks: {
    PostToolUse: [{ matcher: 'Edit|Write', hooks: [{ type: 'command', command: 'npx prettier --write "$FILE"' }] }],
  },
  env: { BASH_DEFAULT_TIMEOUT_MS: '60000', ANTHROPIC_BASE_URL: 'https://gateway.example.com/v1', ANTHROPIC_API_KEY: REAL_KEY, DISABLE_TELEMETRY: '1' },
  includeCoAuthoredBy: false,
  cleanupPeriodDays: 30,
};

function caught(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as Error,
  );
}

describe('claude-settings', () => {
  let home: string;
  let file: string;
  let backup: string;
  let marker: string;

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'qcc-claude-home-'));
    file = claudeSettingsPath(home);
    backup = `${file}.qcc-backup`;
    marker = `${file}.qcc-created`;
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  async function writeSettings(content: string | object, mode = 0o600): Promise<string> {
    const text = typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`;
    await mkdir(join(home, '.claude'), { recursive: true });
    await writeFile(file, text, { mode });
    await chmod(file, mode);
    return text;
  }
  const readJson = async (path = file): Promise<Record<string, unknown>> => JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  const exists = (path: string): Promise<boolean> => stat(path).then(
    () => true,
    () => false,
  );
  const connect = (proxyUrl = PROXY, token = TOKEN) => connectClaudeCode({ home, proxyUrl, token });
  const disconnect = () => disconnectClaudeCode({ home });

  it('names ~/.claude/settings.json', () => {
    expect(claudeSettingsPath('/home/ada')).toBe(join('/home/ada', '.claude', 'settings.json'));
  });

  describe('connect', () => {
    it('creates the .claude directory and a 0600 settings.json when neither exists', async () => {
      const result = await connect();

      expect(await readJson()).toEqual({ env: { ANTHROPIC_BASE_URL: PROXY, ANTHROPIC_AUTH_TOKEN: TOKEN } });
      expect(await readFile(file, 'utf8')).toMatch(/^\{\n {2}"env": \{\n/);
      expect(await readFile(file, 'utf8')).toMatch(/\}\n$/);
      if (POSIX_MODES) expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(result).toEqual({
        settingsPath: file,
        backupPath: marker,
        previousBaseUrl: null,
        alreadyConnected: false,
        createdFile: true,
        removedApiKey: false,
        changed: true,
      });
      expect(await exists(marker)).toBe(true);
      expect(await exists(backup)).toBe(false);
    });

    it('creates settings.json in an existing .claude directory', async () => {
      await mkdir(join(home, '.claude'));
      await writeFile(join(home, '.claude', '.credentials.json'), '{}');
      await connect();
      expect(await readJson()).toEqual({ env: { ANTHROPIC_BASE_URL: PROXY, ANTHROPIC_AUTH_TOKEN: TOKEN } });
      expect(await readFile(join(home, '.claude', '.credentials.json'), 'utf8')).toBe('{}');
    });

    it('keeps every unrelated setting and env var, and their order', async () => {
      await writeSettings(ORIGINAL);
      const result = await connect();

      const after = await readJson();
      const { env: _env, ...rest } = ORIGINAL;
      const { env, ...afterRest } = after as { env: Record<string, unknown> };
      expect(afterRest).toEqual(rest);
      expect(Object.keys(after)).toEqual(Object.keys(ORIGINAL));
      expect(env).toEqual({
        BASH_DEFAULT_TIMEOUT_MS: '60000',
        ANTHROPIC_BASE_URL: PROXY,
        DISABLE_TELEMETRY: '1',
        ANTHROPIC_AUTH_TOKEN: TOKEN,
      });
      expect(result).toMatchObject({ previousBaseUrl: 'https://gateway.example.com/v1', removedApiKey: true, createdFile: false });
    });

    it('adds env when the file has none, and keeps a 4-space, CRLF, no-final-newline layout', async () => {
      await writeSettings('{\r\n    "model": "opus",\r\n    "n": 1\r\n}');
      await connect();
      expect(await readFile(file, 'utf8')).toBe(
        `{\r\n    "model": "opus",\r\n    "n": 1,\r\n    "env": {\r\n        "ANTHROPIC_BASE_URL": "${PROXY}",\r\n        "ANTHROPIC_AUTH_TOKEN": "${TOKEN}"\r\n    }\r\n}`,
      );
    });

    it('backs up the original bytes once and keeps the first backup on later connects', async () => {
      const original = await writeSettings('{"model":"opus","env":{"ANTHROPIC_API_KEY":"' + REAL_KEY + '"}}');
      const first = await connect();
      expect(first.backupPath).toBe(backup);
      expect(await readFile(backup, 'utf8')).toBe(original);
      if (POSIX_MODES) expect((await stat(backup)).mode & 0o777).toBe(0o600);

      const again = await connect();
      expect(again).toMatchObject({ alreadyConnected: true, changed: false, previousBaseUrl: PROXY, backupPath: backup });
      // The proxy moved to another port: still QCC, still the first original.
      const moved = await connect('http://localhost:9999');
      expect(moved).toMatchObject({ alreadyConnected: true, changed: true, previousBaseUrl: PROXY });
      expect(await readFile(backup, 'utf8')).toBe(original);
      expect(((await readJson()).env as Record<string, string>).ANTHROPIC_BASE_URL).toBe('http://localhost:9999');
    });

    it('replaces a stale backup when settings no longer point at QCC', async () => {
      await writeSettings({ env: { ANTHROPIC_API_KEY: REAL_KEY } });
      await connect();
      // The user undid the connection by hand and set up another provider.
      const handMade = await writeSettings({ env: { ANTHROPIC_BASE_URL: 'https://other.example.com', ANTHROPIC_AUTH_TOKEN: 'other-key' } });
      const result = await connect();
      expect(result.alreadyConnected).toBe(false);
      expect(await readFile(backup, 'utf8')).toBe(handMade);
      await disconnect();
      expect(await readFile(file, 'utf8')).toBe(handMade);
    });

    it('preserves the file mode', async () => {
      if (!POSIX_MODES) return;
      await writeSettings(ORIGINAL, 0o644);
      await connect();
      expect((await stat(file)).mode & 0o777).toBe(0o644);
      await chmod(file, 0o640);
      await disconnect();
      expect((await stat(file)).mode & 0o777).toBe(0o640);
    });

    it('writes through a symlinked settings.json instead of replacing the link', async () => {
      if (!POSIX_MODES) return;
      const dotfiles = join(home, 'dotfiles');
      await mkdir(dotfiles);
      await mkdir(join(home, '.claude'));
      const original = `${JSON.stringify(ORIGINAL, null, 2)}\n`;
      await writeFile(join(dotfiles, 'settings.json'), original);
      await symlink(join(dotfiles, 'settings.json'), file);

      await connect();
      expect((await lstat(file)).isSymbolicLink()).toBe(true);
      expect(((await readJson(join(dotfiles, 'settings.json'))).env as Record<string, string>).ANTHROPIC_AUTH_TOKEN).toBe(TOKEN);
      await disconnect();
      expect((await lstat(file)).isSymbolicLink()).toBe(true);
      expect(await readFile(join(dotfiles, 'settings.json'), 'utf8')).toBe(original);
    });

    it('refuses malformed JSON naming the file and position, and touches nothing', async () => {
      const broken = await writeSettings(`{\n  "env": {\n    "ANTHROPIC_API_KEY": "${REAL_KEY}"\n    "model": "opus"\n  }\n}\n`);
      const error = await caught(connect());

      expect(error).toBeInstanceOf(ClaudeSettingsError);
      expect(error.message).toBe(`${file} is not valid JSON (line 4, column 5); nothing was changed. Fix the file and try again.`);
      expect(await readFile(file, 'utf8')).toBe(broken);
      expect(await readdir(join(home, '.claude'))).toEqual(['settings.json']);
    });

    it.each([
      ['an array root', '[1, 2]\n', 'must hold a JSON object'],
      ['a string root', '"sk-ant-real-key-SECRET-0002"\n', 'must hold a JSON object'],
      ['env as a string', `{"env": "${REAL_KEY}"}\n`, '"env" must be a JSON object'],
      ['env as an array', '{"env": ["ANTHROPIC_API_KEY"]}\n', '"env" must be a JSON object'],
      ['env as null', '{"env": null}\n', '"env" must be a JSON object'],
    ])('refuses %s and touches nothing', async (_name, content, expected) => {
      await writeSettings(content);
      const error = await caught(connect());
      expect(error).toBeInstanceOf(ClaudeSettingsError);
      expect(error.message).toContain(file);
      expect(error.message).toContain(expected);
      expect(error.message).toContain('nothing was changed');
      expect(await readFile(file, 'utf8')).toBe(content);
      expect(await readdir(join(home, '.claude'))).toEqual(['settings.json']);
    });

    it('refuses a file that is not UTF-8 without touching it', async () => {
      await mkdir(join(home, '.claude'));
      const bytes = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]);
      await writeFile(file, bytes);
      const error = await caught(connect());
      expect(error.message).toContain('not valid UTF-8');
      expect(Buffer.compare(await readFile(file), bytes)).toBe(0);
    });

    it('treats a blank file as empty settings and gives its bytes back on disconnect', async () => {
      await writeSettings('\n');
      await connect();
      expect(await readJson()).toEqual({ env: { ANTHROPIC_BASE_URL: PROXY, ANTHROPIC_AUTH_TOKEN: TOKEN } });
      expect(await disconnect()).toMatchObject({ outcome: 'restored' });
      expect(await readFile(file, 'utf8')).toBe('\n');
    });

    it('rejects a bad proxy URL or token without echoing the token', async () => {
      expect((await caught(connect('not a url'))).message).toBe('proxyUrl is not a valid URL');
      expect((await caught(connect('ftp://127.0.0.1:1'))).message).toBe('proxyUrl must be an http:// or https:// URL');
      const error = await caught(connect(PROXY, `${TOKEN} with space`));
      expect(error.message).not.toContain(TOKEN);
      expect(await exists(join(home, '.claude'))).toBe(false);
    });
  });

  describe('disconnect', () => {
    it('restores the original bytes exactly when nothing else changed', async () => {
      // Deliberately unusual layout: tabs, 1.0, no final newline, API key last.
      const original = `{\t"cleanupPeriodDays": 30.0,\n\t"env": {\n\t\t"DISABLE_TELEMETRY": "1",\n\t\t"ANTHROPIC_API_KEY": "${REAL_KEY}"\n\t},\n\t"model": "opus"\n}`;
      await writeSettings(original);
      await connect();
      expect(((await readJson()).env as Record<string, string>).ANTHROPIC_API_KEY).toBeUndefined();

      expect(await disconnect()).toEqual({ wasConnected: true, outcome: 'restored', settingsPath: file });
      expect(await readFile(file, 'utf8')).toBe(original);
      expect(await exists(backup)).toBe(false);
      expect(await exists(marker)).toBe(false);
    });

    it('restores ANTHROPIC_API_KEY and the original base URL', async () => {
      await writeSettings(ORIGINAL);
      await connect();
      await disconnect();
      expect(await readJson()).toEqual(ORIGINAL);
    });

    it('keeps edits made after connecting and reverts only our env keys', async () => {
      await writeSettings(ORIGINAL);
      await connect();
      const connected = await readJson();
      const env = connected.env as Record<string, string>;
      // The user (or Claude Code) changed settings while connected.
      await writeSettings({
        ...connected,
        model: 'claude-opus-4-1',
        permissions: { allow: ['Bash(git status)'] },
        env: { ...env, NEW_VAR: 'added', DISABLE_TELEMETRY: undefined },
        statusLine: { type: 'command', command: 'echo hi' },
      });

      expect(await disconnect()).toMatchObject({ wasConnected: true, outcome: 'merged' });
      expect(await readJson()).toEqual({
        ...ORIGINAL,
        model: 'claude-opus-4-1',
        permissions: { allow: ['Bash(git status)'] },
        env: {
          BASH_DEFAULT_TIMEOUT_MS: '60000',
          ANTHROPIC_BASE_URL: 'https://gateway.example.com/v1',
          NEW_VAR: 'added',
          ANTHROPIC_API_KEY: REAL_KEY,
        },
        statusLine: { type: 'command', command: 'echo hi' },
      });
      expect(await exists(backup)).toBe(false);
    });

    it('removes our keys but keeps the user\'s additions when QCC created the file', async () => {
      await connect();
      const connected = await readJson();
      await writeSettings({ ...connected, model: 'opus', env: { ...(connected.env as object), FOO: 'bar' } }, 0o600);

      expect(await disconnect()).toMatchObject({ outcome: 'merged' });
      expect(await readJson()).toEqual({ model: 'opus', env: { FOO: 'bar' } });
      expect(await exists(marker)).toBe(false);
    });

    it('deletes the file it created when nothing else was added, keeping the .claude directory', async () => {
      await connect();
      expect(await disconnect()).toEqual({ wasConnected: true, outcome: 'deleted', settingsPath: file });
      expect(await exists(file)).toBe(false);
      expect(await readdir(join(home, '.claude'))).toEqual([]);
    });

    it('does not leave an empty env behind when the original had none', async () => {
      await writeSettings({ model: 'opus' });
      await connect();
      const connected = await readJson();
      await writeSettings({ ...connected, theme: 'dark' });
      await disconnect();
      expect(await readJson()).toEqual({ model: 'opus', theme: 'dark' });
    });

    it('brings the original back whole when settings.json was deleted while connected', async () => {
      const original = await writeSettings(ORIGINAL);
      await connect();
      await rm(file);
      expect(await disconnect()).toMatchObject({ outcome: 'restored' });
      expect(await readFile(file, 'utf8')).toBe(original);
    });

    it('says so when not connected, and touches nothing', async () => {
      expect(await disconnect()).toEqual({ wasConnected: false });
      expect(await exists(join(home, '.claude'))).toBe(false);
      const original = await writeSettings(ORIGINAL);
      expect(await disconnect()).toEqual({ wasConnected: false });
      expect(await readFile(file, 'utf8')).toBe(original);
    });

    it('strips a QCC base URL and token even without a backup', async () => {
      await writeSettings({ model: 'opus', env: { ANTHROPIC_BASE_URL: 'http://localhost:8787/', ANTHROPIC_AUTH_TOKEN: TOKEN, FOO: '1' } });
      expect(await disconnect()).toMatchObject({ wasConnected: true, outcome: 'stripped' });
      expect(await readJson()).toEqual({ model: 'opus', env: { FOO: '1' } });
    });

    it('refuses a settings.json broken after connecting, touching neither it nor the backup', async () => {
      const original = await writeSettings(ORIGINAL);
      await connect();
      const broken = `{"env": {"ANTHROPIC_AUTH_TOKEN": "${TOKEN}",}}`;
      await writeSettings(broken);
      const error = await caught(disconnect());
      expect(error.message).toBe(`${file} is not valid JSON (line 1, column ${broken.indexOf(',}') + 2}); nothing was changed. Fix the file and try again.`);
      expect(await readFile(file, 'utf8')).toBe(broken);
      expect(await readFile(backup, 'utf8')).toBe(original);
    });

    it('refuses a malformed backup, naming it', async () => {
      await writeSettings(ORIGINAL);
      await connect();
      const connected = await readFile(file, 'utf8');
      await writeFile(backup, `{"env": {"ANTHROPIC_API_KEY": "${REAL_KEY}"`);
      const error = await caught(disconnect());
      expect(error.message).toContain(backup);
      expect(error.message).not.toContain(REAL_KEY);
      expect(await readFile(file, 'utf8')).toBe(connected);
    });
  });

  describe('isConnected', () => {
    it('is true only while settings point at this proxy', async () => {
      expect(await isConnected({ home, proxyUrl: PROXY })).toBe(false);
      await writeSettings(ORIGINAL);
      expect(await isConnected({ home, proxyUrl: PROXY })).toBe(false);
      await connect();
      expect(await isConnected({ home, proxyUrl: PROXY })).toBe(true);
      expect(await isConnected({ home, proxyUrl: `${PROXY}/` })).toBe(true);
      expect(await isConnected({ home, proxyUrl: 'http://127.0.0.1:9999' })).toBe(false);
      await disconnect();
      expect(await isConnected({ home, proxyUrl: PROXY })).toBe(false);
    });

    it('is false for a malformed file', async () => {
      await writeSettings('{ nope');
      expect(await isConnected({ home, proxyUrl: PROXY })).toBe(false);
    });
  });

  describe('detectClaudeUpstream', () => {
    const detect = (env: NodeJS.ProcessEnv = {}) => detectClaudeUpstream({ home, env });

    it('finds nothing when there is no key anywhere', async () => {
      expect(await detect()).toBeNull();
      await writeSettings({ env: { ANTHROPIC_BASE_URL: 'https://gateway.example.com' } });
      expect(await detect({ PATH: '/usr/bin' })).toBeNull();
    });

    it('reads settings.json env first', async () => {
      await writeSettings(ORIGINAL);
      expect(await detect({ ANTHROPIC_BASE_URL: 'https://env.example.com', ANTHROPIC_API_KEY: 'sk-env' })).toEqual({
        base_url: 'https://gateway.example.com/v1',
        api_key: REAL_KEY,
        auth_style: 'x-api-key',
        source: '~/.claude/settings.json',
      });
    });

    it('falls back to the environment, with Anthropic as the default base URL', async () => {
      expect(await detect({ ANTHROPIC_API_KEY: ` ${REAL_KEY}\n` })).toEqual({
        base_url: 'https://api.anthropic.com',
        api_key: REAL_KEY,
        auth_style: 'x-api-key',
        source: 'environment',
      });
    });

    it('takes ANTHROPIC_AUTH_TOKEN as bearer, ahead of ANTHROPIC_API_KEY', async () => {
      expect(
        await detect({ ANTHROPIC_BASE_URL: 'https://gw.example.com', ANTHROPIC_AUTH_TOKEN: 'gw-token', ANTHROPIC_API_KEY: REAL_KEY }),
      ).toEqual({ base_url: 'https://gw.example.com', api_key: 'gw-token', auth_style: 'bearer', source: 'environment' });
    });

    it('combines variables per name and names both sources', async () => {
      await writeSettings({ env: { ANTHROPIC_BASE_URL: 'https://gw.example.com', ANTHROPIC_AUTH_TOKEN: '' } });
      expect(await detect({ ANTHROPIC_AUTH_TOKEN: 'gw-token' })).toEqual({
        base_url: 'https://gw.example.com',
        api_key: 'gw-token',
        auth_style: 'bearer',
        source: '~/.claude/settings.json and environment',
      });
    });

    it('never imports a QCC proxy, from settings or the environment', async () => {
      expect(await detect({ ANTHROPIC_BASE_URL: PROXY, ANTHROPIC_AUTH_TOKEN: TOKEN })).toBeNull();
      await writeSettings({ env: { ANTHROPIC_BASE_URL: 'http://localhost:8787', ANTHROPIC_AUTH_TOKEN: TOKEN } });
      expect(await detect()).toBeNull();
      // The halves of the pair in different places.
      await writeSettings({ env: { ANTHROPIC_BASE_URL: PROXY } });
      expect(await detect({ ANTHROPIC_AUTH_TOKEN: TOKEN })).toBeNull();
      // ...while the real key in the shell is still found.
      expect(await detect({ ANTHROPIC_AUTH_TOKEN: TOKEN, ANTHROPIC_API_KEY: REAL_KEY })).toEqual({
        base_url: 'https://api.anthropic.com',
        api_key: REAL_KEY,
        auth_style: 'x-api-key',
        source: 'environment',
      });
    });

    it('keeps a local upstream whose key is not a QCC token', async () => {
      expect(await detect({ ANTHROPIC_BASE_URL: 'http://localhost:4000', ANTHROPIC_AUTH_TOKEN: 'sk-litellm' })).toMatchObject({
        base_url: 'http://localhost:4000',
        auth_style: 'bearer',
      });
    });

    it('reads the upstream from the backup while connected', async () => {
      await writeSettings(ORIGINAL);
      await connect();
      expect(await detect()).toEqual({
        base_url: 'https://gateway.example.com/v1',
        api_key: REAL_KEY,
        auth_style: 'x-api-key',
        source: '~/.claude/settings.json.qcc-backup',
      });
    });

    it('skips a malformed settings.json', async () => {
      await writeSettings(`{"env": {"ANTHROPIC_API_KEY": "${REAL_KEY}"`);
      expect(await detect({ ANTHROPIC_API_KEY: 'sk-env' })).toMatchObject({ api_key: 'sk-env', source: 'environment' });
    });
  });

  describe('secrets', () => {
    it('puts no key or token in any error message', async () => {
      const messages: string[] = [];
      const contents = [
        `{"env": {"ANTHROPIC_API_KEY": "${REAL_KEY}" "ANTHROPIC_AUTH_TOKEN": "${TOKEN}"}}`,
        `{"env": {"ANTHROPIC_API_KEY": "${REAL_KEY}`,
        `{"env": "${REAL_KEY}"}`,
        `"${TOKEN}"`,
        `[${JSON.stringify(REAL_KEY)}]`,
        `{"env": {"ANTHROPIC_API_KEY": "${REAL_KEY}"}} ${TOKEN}`,
      ];
      for (const content of contents) {
        await writeSettings(content);
        messages.push((await caught(connect())).message, (await caught(disconnect())).message);
      }
      messages.push((await caught(connect(PROXY, `${TOKEN}\n`))).message);
      expect(messages).toHaveLength(contents.length * 2 + 1);
      for (const message of messages) {
        expect(message).not.toContain('SECRET');
      }
    });
  });

  describe('shellExports', () => {
    const tricky = "qcc-it's-$HOME-`id`-\\n-\u2019-\"";

    it('writes POSIX exports that a shell reads back literally', () => {
      const script = shellExports({ proxyUrl: PROXY, token: tricky, shell: 'posix' });
      expect(script).toBe(
        `unset ANTHROPIC_API_KEY\nexport ANTHROPIC_BASE_URL='${PROXY}'\nexport ANTHROPIC_AUTH_TOKEN='qcc-it'\\''s-$HOME-\`id\`-\\n-\u2019-"'\n`,
      );
      if (!POSIX_MODES) return;
      const printed = execFileSync('/bin/sh', ['-c', `${script}printf '%s|%s|%s' "$ANTHROPIC_BASE_URL" "$ANTHROPIC_AUTH_TOKEN" "\${ANTHROPIC_API_KEY-unset}"`], {
        env: { PATH: process.env.PATH, ANTHROPIC_API_KEY: REAL_KEY },
        encoding: 'utf8',
      });
      expect(printed).toBe(`${PROXY}|${tricky}|unset`);
    });

    it('defaults to POSIX', () => {
      expect(shellExports({ proxyUrl: PROXY, token: TOKEN })).toBe(shellExports({ proxyUrl: PROXY, token: TOKEN, shell: 'posix' }));
    });

    it('writes fish, escaping quotes and backslashes', () => {
      expect(shellExports({ proxyUrl: PROXY, token: tricky, shell: 'fish' })).toBe(
        `set -e ANTHROPIC_API_KEY\nset -gx ANTHROPIC_BASE_URL '${PROXY}'\nset -gx ANTHROPIC_AUTH_TOKEN 'qcc-it\\'s-$HOME-\`id\`-\\\\n-\u2019-"'\n`,
      );
    });

    it('writes PowerShell, doubling straight and typographic single quotes', () => {
      expect(shellExports({ proxyUrl: PROXY, token: tricky, shell: 'powershell' })).toBe(
        `Remove-Item Env:ANTHROPIC_API_KEY -ErrorAction SilentlyContinue\n$env:ANTHROPIC_BASE_URL = '${PROXY}'\n$env:ANTHROPIC_AUTH_TOKEN = 'qcc-it''s-$HOME-\`id\`-\\n-\u2019\u2019-"'\n`,
      );
    });
  });
});
