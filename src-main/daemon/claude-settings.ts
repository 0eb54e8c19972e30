import { mkdir, open, realpath, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { writeFileAtomic } from '../engine/node/atomic-file.js';
import { jsonSyntaxErrorPosition } from '../engine/node/json-syntax.js';

// Claude Code integration: `qcc claude connect | disconnect | env` and the
// first-run import. Claude Code copies the `env` object of
// ~/.claude/settings.json into its environment, and that wins over the shell,
// so editing that one object is how Claude Code is pointed at the proxy.
//
// Secrets: settings.json holds API keys. Nothing here puts a value from the
// file, the environment or the caller into an error message; errors name the
// file and, at most, the field.

const BASE_URL = 'ANTHROPIC_BASE_URL';
const AUTH_TOKEN = 'ANTHROPIC_AUTH_TOKEN';
const API_KEY = 'ANTHROPIC_API_KEY';
/** Every env key connect may change; disconnect reverts exactly these. */
const OUR_KEYS = [BASE_URL, AUTH_TOKEN, API_KEY] as const;

/** QCC's proxy tokens look like this (see engine/node/access-token.ts); real upstream keys do not. */
const QCC_TOKEN_PREFIX = 'qcc-';
const DEFAULT_UPSTREAM = 'https://api.anthropic.com';
/** How sources are named to the user; fixed so a message never carries a home directory path. */
const SETTINGS_SOURCE = '~/.claude/settings.json';
const BACKUP_SOURCE = '~/.claude/settings.json.qcc-backup';

type JsonObject = Record<string, unknown>;

/** A problem with a settings file that the user must fix; the message names the file and never a value. */
export class ClaudeSettingsError extends Error {
  override readonly name = 'ClaudeSettingsError';
  constructor(
    message: string,
    /** The file at fault. */
    readonly file: string,
  ) {
    super(message);
  }
}

/** What `connectClaudeCode` did. */
export interface ConnectResult {
  settingsPath: string;
  /** Where the pre-QCC settings are kept; the marker file when there was no settings.json before QCC. */
  backupPath: string;
  /** `env.ANTHROPIC_BASE_URL` before this call, or null if it was unset. */
  previousBaseUrl: string | null;
  /** Settings already pointed at a QCC proxy, so the backup of the first original was kept. */
  alreadyConnected: boolean;
  /** settings.json did not exist and was created. */
  createdFile: boolean;
  /** An `ANTHROPIC_API_KEY` was taken out of `env` (it is still in the backup). */
  removedApiKey: boolean;
  /** settings.json was rewritten (false when it already held exactly these values). */
  changed: boolean;
}

/**
 * What `disconnectClaudeCode` did:
 * - `restored`: nothing else had changed, so the original bytes were put back exactly;
 * - `merged`: the user edited settings.json after connecting; their edits were kept and only our env keys reverted;
 * - `deleted`: QCC had created settings.json and nothing else was ever added, so it was removed again;
 * - `stripped`: no backup, but settings pointed at a QCC proxy; our base URL and token were removed.
 */
export type DisconnectResult =
  | { wasConnected: false }
  | { wasConnected: true; outcome: 'restored' | 'merged' | 'deleted' | 'stripped'; settingsPath: string };

/** An upstream found in Claude Code's current setup, ready to become a config's endpoint. */
export interface DetectedUpstream {
  base_url: string;
  api_key: string;
  auth_style: 'x-api-key' | 'bearer';
  /** Where it was found, e.g. `~/.claude/settings.json` or `environment`; never the key. */
  source: string;
}

/** A shell that `shellExports` can write for. */
export type ExportShell = 'posix' | 'fish' | 'powershell';

/** Claude Code's user settings file: `<home>/.claude/settings.json`. */
export function claudeSettingsPath(home: string = homedir()): string {
  return join(home, '.claude', 'settings.json');
}

/** The exact bytes of settings.json before the first connect. */
function backupPathFor(file: string): string {
  return `${file}.qcc-backup`;
}

/**
 * An empty marker meaning "there was no settings.json before QCC". A separate
 * file, not an empty backup, because an empty settings.json is a real (if odd)
 * original whose bytes must come back.
 */
function createdMarkerFor(file: string): string {
  return `${file}.qcc-created`;
}

/**
 * Points Claude Code at the proxy: sets `env.ANTHROPIC_BASE_URL` and
 * `env.ANTHROPIC_AUTH_TOKEN` in settings.json, removes `env.ANTHROPIC_API_KEY`,
 * and keeps every other setting. The original is backed up once, before the
 * first change. Throws ClaudeSettingsError, having changed nothing, if
 * settings.json is not a JSON object with an object `env`.
 */
export async function connectClaudeCode(options: { home?: string; proxyUrl: string; token: string }): Promise<ConnectResult> {
  const { proxyUrl, token } = options;
  assertHttpUrl(proxyUrl, 'proxyUrl');
  // A token with whitespace or control characters would be refused by Claude Code's HTTP client, or worse, split a header.
  if (!/^[\x21-\x7e]+$/.test(token)) throw new Error('the proxy token must be non-empty printable ASCII without spaces');

  const file = claudeSettingsPath(options.home);
  const backupPath = backupPathFor(file);
  const markerPath = createdMarkerFor(file);
  // Parse and validate everything before touching the disk: a bad file must be left exactly as it was.
  const current = await readSettings(file);
  const env = envOf(current.root, file);
  const previousBaseUrl = typeof env?.[BASE_URL] === 'string' ? env[BASE_URL] : null;

  const hasBackup = (await exists(backupPath)) || (await exists(markerPath));
  const alreadyConnected = env !== undefined && pointsAtQcc(env, proxyUrl);
  // Keep the first original while we are connected: backing up now would save our own edit and lose the user's real
  // settings. A backup found while settings do NOT point at QCC is stale (the user undid the connection by hand, or
  // we crashed between the two writes below): the current file is the original now, so replace it.
  if (!(alreadyConnected && hasBackup)) {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    if (current.bytes) {
      // 0600 whatever the original's mode: the backup holds the same keys, and it is ours.
      await writeFileAtomic(backupPath, current.bytes, { mode: 0o600 });
      await rm(markerPath, { force: true });
    } else {
      await writeFileAtomic(markerPath, '', { mode: 0o600 });
      await rm(backupPath, { force: true });
    }
  }

  const root = current.root;
  const before = structuredClone(root);
  const target = env ?? {};
  if (env === undefined) root.env = target;
  const removedApiKey = API_KEY in target;
  target[BASE_URL] = proxyUrl;
  target[AUTH_TOKEN] = token;
  // Claude Code would send ANTHROPIC_API_KEY as x-api-key next to our bearer token: the proxy would receive the
  // user's real upstream key, and Claude Code asks whether to use a "custom API key" it finds. The proxy token is
  // the only credential Claude Code needs; the key stays in the backup and disconnect puts it back.
  delete target[API_KEY];

  const changed = current.bytes === null || !isDeepStrictEqual(before, root);
  if (changed) await writeSettings(file, serialize(root, current.style), current.mode ?? 0o600);
  return {
    settingsPath: file,
    backupPath: (await exists(backupPath)) ? backupPath : markerPath,
    previousBaseUrl,
    alreadyConnected,
    createdFile: current.bytes === null,
    removedApiKey,
    changed,
  };
}

/**
 * Undoes `connectClaudeCode`. Always merges rather than copying the backup
 * back: the current settings.json is kept and only the env keys connect
 * touched (ANTHROPIC_BASE_URL, ANTHROPIC_AUTH_TOKEN, ANTHROPIC_API_KEY) get
 * their original values, or are removed where the original lacked them, so
 * edits made since connecting (by the user or by Claude Code) survive. When
 * nothing else changed the merge equals the original and its exact bytes are
 * written. Not connected is not an error: `{ wasConnected: false }`.
 */
export async function disconnectClaudeCode(options: { home?: string } = {}): Promise<DisconnectResult> {
  const file = claudeSettingsPath(options.home);
  const backupPath = backupPathFor(file);
  const markerPath = createdMarkerFor(file);
  // Read and validate both files before writing anything.
  const backupBytes = await readOptional(backupPath);
  const created = backupBytes === null && (await exists(markerPath));
  const original: Settings | null = backupBytes ? parseSettings(backupBytes.bytes, backupPath) : null;
  if (original) envOf(original.root, backupPath);
  const current = await readSettings(file);
  const env = envOf(current.root, file);

  if (!original && !created) {
    // No record of connecting. Settings may still point at QCC (the backup was deleted, or the `qcc claude env`
    // values were pasted in by hand): remove our base URL and token, the only keys that are certainly ours.
    if (!current.bytes || !env || !isQccProxy(stringVars(env))) return { wasConnected: false };
    delete env[BASE_URL];
    delete env[AUTH_TOKEN];
    await writeSettings(file, serialize(current.root, current.style), current.mode ?? 0o600);
    return { wasConnected: true, outcome: 'stripped', settingsPath: file };
  }

  let outcome: 'restored' | 'merged' | 'deleted';
  if (!current.bytes) {
    // settings.json was deleted while connected. There are no edits to keep, so the original comes back whole
    // (or stays absent if we had created it): this loses nothing, where merging onto `{}` would drop every
    // setting of the original but our three keys.
    if (original?.bytes) await writeSettings(file, original.bytes, 0o600);
    outcome = original?.bytes ? 'restored' : 'deleted';
  } else {
    const originalRoot = original?.root ?? {};
    const originalEnv = originalRoot.env as JsonObject | undefined;
    const root = current.root;
    let target = env;
    for (const key of OUR_KEYS) {
      if (originalEnv && key in originalEnv) {
        target ??= root.env = {};
        target[key] = originalEnv[key];
      } else if (target) {
        delete target[key];
      }
    }
    // Connect added `env` if the original had none; do not leave an empty one behind.
    if (target && Object.keys(target).length === 0 && !('env' in originalRoot)) delete root.env;

    if (!isDeepStrictEqual(root, originalRoot)) {
      await writeSettings(file, serialize(root, current.style), current.mode);
      outcome = 'merged';
    } else if (original?.bytes) {
      // Same content as the original: write its bytes, so indentation, key order and
      // number spelling (1.0 stays 1.0) come back exactly.
      await writeSettings(file, original.bytes, current.mode);
      outcome = 'restored';
    } else {
      // We created settings.json and nobody added anything to it: leave no empty file behind.
      // The ~/.claude directory stays; Claude Code keeps its own state there.
      await rm(file, { force: true });
      outcome = 'deleted';
    }
  }
  // Settings first, backup last: a crash in between leaves a backup that makes a rerun do the same merge again.
  await rm(backupPath, { force: true });
  await rm(markerPath, { force: true });
  return { wasConnected: true, outcome, settingsPath: file };
}

/**
 * Whether settings.json points Claude Code at `proxyUrl` (compared as URLs, so a
 * trailing slash does not matter). A missing or malformed file is not connected.
 */
export async function isConnected(options: { home?: string; proxyUrl: string }): Promise<boolean> {
  const file = claudeSettingsPath(options.home);
  try {
    const env = envOf((await readSettings(file)).root, file);
    const base = env?.[BASE_URL];
    return typeof base === 'string' && sameUrl(base, options.proxyUrl);
  } catch (error) {
    if (error instanceof ClaudeSettingsError) return false;
    throw error;
  }
}

/**
 * The upstream Claude Code uses today, for the first-run "import your current
 * setup" offer, or null if there is no key to import. Per variable, settings.json
 * `env` wins over the process environment, as it does inside Claude Code.
 * `ANTHROPIC_AUTH_TOKEN` (bearer) wins over `ANTHROPIC_API_KEY` (x-api-key), as
 * in Claude Code's own precedence. Without a base URL the upstream is Anthropic's
 * API. A QCC proxy (a loopback base URL with a `qcc-` token) is never returned:
 * when settings.json points at one, the upstream it replaced is read from the
 * backup instead. A settings.json that cannot be read as JSON is skipped, not an
 * error: this is an optional offer during first run.
 */
export async function detectClaudeUpstream(
  options: { home?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<DetectedUpstream | null> {
  const file = claudeSettingsPath(options.home);
  const layers: Layer[] = [];
  const settingsVars = await settingsEnvVars(file);
  if (settingsVars && isQccProxy(settingsVars)) {
    const backupVars = await settingsEnvVars(backupPathFor(file));
    if (backupVars) layers.push({ source: BACKUP_SOURCE, vars: backupVars });
  } else if (settingsVars) {
    layers.push({ source: SETTINGS_SOURCE, vars: settingsVars });
  }
  layers.push({ source: 'environment', vars: stringVars(options.env ?? process.env) });

  // The loopback URL and the qcc- token may come from different layers (settings has one, the shell the other), and
  // either may be shadowed by a real value in a higher layer. Both halves of a QCC pair go, or we would import
  // ourselves, or send our token to a real upstream.
  const qccToken = layers.some((layer) => [layer.vars[AUTH_TOKEN], layer.vars[API_KEY]].some(isQccToken));
  const loopback = layers.some((layer) => isLoopbackUrl(layer.vars[BASE_URL]));
  if (qccToken && loopback) {
    for (const layer of layers) {
      if (isLoopbackUrl(layer.vars[BASE_URL])) delete layer.vars[BASE_URL];
      for (const key of [AUTH_TOKEN, API_KEY] as const) if (isQccToken(layer.vars[key])) delete layer.vars[key];
    }
  }

  const pick = (key: keyof Vars): { value: string; source: string } | undefined => {
    for (const layer of layers) {
      const value = layer.vars[key];
      if (value !== undefined) return { value, source: layer.source };
    }
    return undefined;
  };
  const bearer = pick(AUTH_TOKEN);
  const key = bearer ?? pick(API_KEY);
  if (!key) return null;
  const base = pick(BASE_URL);
  const sources = [...new Set([base?.source, key.source].filter((source) => source !== undefined))];
  return {
    base_url: base?.value ?? DEFAULT_UPSTREAM,
    api_key: key.value,
    auth_style: bearer ? 'bearer' : 'x-api-key',
    source: sources.join(' and '),
  };
}

/**
 * Shell commands for `qcc claude env`: unset ANTHROPIC_API_KEY (see
 * connectClaudeCode for why) and export the proxy URL and token, quoted for
 * `shell` so that any value is taken literally. The unset comes first so the
 * output's exit status is that of the exports. Note that Claude Code lets
 * settings.json `env` override the shell.
 */
export function shellExports(options: { proxyUrl: string; token: string; shell?: ExportShell }): string {
  const { proxyUrl, token, shell = 'posix' } = options;
  const vars: [string, string][] = [
    [BASE_URL, proxyUrl],
    [AUTH_TOKEN, token],
  ];
  let lines: string[];
  switch (shell) {
    case 'posix':
      lines = [`unset ${API_KEY}`, ...vars.map(([name, value]) => `export ${name}=${posixQuote(value)}`)];
      break;
    case 'fish':
      lines = [`set -e ${API_KEY}`, ...vars.map(([name, value]) => `set -gx ${name} ${fishQuote(value)}`)];
      break;
    case 'powershell':
      lines = [
        `Remove-Item Env:${API_KEY} -ErrorAction SilentlyContinue`,
        ...vars.map(([name, value]) => `$env:${name} = ${powershellQuote(value)}`),
      ];
      break;
    default:
      throw new Error(`unknown shell: ${String(shell satisfies never)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** POSIX sh: nothing is special inside single quotes, so a quote is closed, escaped and reopened. */
function posixQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** fish: inside single quotes only `\'` and `\\` are escapes. */
function fishQuote(value: string): string {
  return `'${value.replace(/[\\']/g, (char) => `\\${char}`)}'`;
}

/** PowerShell: a quote is doubled; it also takes the typographic single quotes as quotes, so those are doubled too. */
function powershellQuote(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, (char) => char + char)}'`;
}

// ---------------------------------------------------------------------------
// settings.json as bytes, parsed value and formatting style

/** How a settings file is laid out, so a rewrite looks like the user's file. */
interface Style {
  indent: string;
  eol: '\n' | '\r\n';
  finalNewline: boolean;
  bom: boolean;
}

interface Settings {
  /** Exact content; null when the file does not exist. */
  bytes: Buffer | null;
  /** The parsed root; `{}` for a missing or blank file. */
  root: JsonObject;
  style: Style;
  /** Permission bits; null when the file does not exist. */
  mode: number | null;
}

const NEW_FILE_STYLE: Style = { indent: '  ', eol: '\n', finalNewline: true, bom: false };

async function readSettings(file: string): Promise<Settings> {
  const found = await readOptional(file);
  if (!found) return { bytes: null, root: {}, style: NEW_FILE_STYLE, mode: null };
  return { ...parseSettings(found.bytes, file), mode: found.mode };
}

function parseSettings(bytes: Buffer, file: string): Settings {
  const unchanged = 'nothing was changed';
  let text: string;
  try {
    // Fatal decoding: a lenient one would turn bad bytes into U+FFFD and a rewrite would corrupt them for good.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new ClaudeSettingsError(`${file} is not valid UTF-8 text; ${unchanged}.`, file);
  }
  const bom = text.startsWith('\uFEFF');
  if (bom) text = text.slice(1);
  const style: Style = {
    indent: /\n([ \t]+)\S/.exec(text)?.[1] ?? '  ',
    eol: text.includes('\r\n') ? '\r\n' : '\n',
    finalNewline: text.trim() === '' || /\n\s*$/.test(text),
    bom,
  };
  // A blank file is taken as no settings, not as an error (a `touch`ed file is a common start).
  if (text.trim() === '') return { bytes, root: {}, style, mode: null };

  // Never JSON.parse's message: V8 quotes the text around the error, which may be a key.
  const position = jsonSyntaxErrorPosition(text);
  if (position) {
    throw new ClaudeSettingsError(
      `${file} is not valid JSON (line ${position.line}, column ${position.column}); ${unchanged}. Fix the file and try again.`,
      file,
    );
  }
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    throw new ClaudeSettingsError(`${file} is not valid JSON; ${unchanged}. Fix the file and try again.`, file);
  }
  if (!isObject(root)) {
    throw new ClaudeSettingsError(`${file} must hold a JSON object ({ ... }) at the top level; ${unchanged}.`, file);
  }
  return { bytes, root, style, mode: null };
}

/** The root's `env` object, undefined if absent; anything else there is an error naming the field. */
function envOf(root: JsonObject, file: string): JsonObject | undefined {
  if (!('env' in root)) return undefined;
  if (!isObject(root.env)) {
    throw new ClaudeSettingsError(`${file}: "env" must be a JSON object ({ ... }); nothing was changed.`, file);
  }
  return root.env;
}

function serialize(root: JsonObject, style: Style): string {
  // JSON.stringify escapes newlines inside strings, so every \n it emits is a line break and safe to replace.
  const body = JSON.stringify(root, null, style.indent).replace(/\n/g, style.eol);
  return `${style.bom ? '\uFEFF' : ''}${body}${style.finalNewline ? style.eol : ''}`;
}

/**
 * Writes through a symlink rather than replacing it: settings.json is often a
 * link into a dotfiles repository, and an atomic rename over the link would
 * silently detach it.
 */
async function writeSettings(file: string, data: string | Buffer, mode: number | null): Promise<void> {
  let target = file;
  try {
    target = await realpath(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await writeFileAtomic(target, data, { mode: mode ?? 0o600 });
}

/** Bytes and permission bits of a file, or null if it does not exist. One handle, so both describe the same file. */
async function readOptional(file: string): Promise<{ bytes: Buffer; mode: number } | null> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const stats = await handle.stat();
    return { bytes: await handle.readFile(), mode: stats.mode & 0o777 };
  } finally {
    await handle.close();
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** The string-valued env vars of a settings file, or null if it is missing or unreadable as settings. */
async function settingsEnvVars(file: string): Promise<Vars | null> {
  try {
    const found = await readOptional(file);
    if (!found) return null;
    const env = envOf(parseSettings(found.bytes, file).root, file);
    return env ? stringVars(env) : {};
  } catch (error) {
    if (error instanceof ClaudeSettingsError) return null;
    throw error;
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------
// Recognising a QCC proxy

/** Non-empty, trimmed string values of our keys only. */
type Vars = Partial<Record<(typeof OUR_KEYS)[number], string>>;

interface Layer {
  source: string;
  vars: Vars;
}

function stringVars(env: Record<string, unknown>): Vars {
  const vars: Vars = {};
  for (const key of OUR_KEYS) {
    const value = env[key];
    if (typeof value === 'string' && value.trim() !== '') vars[key] = value.trim();
  }
  return vars;
}

function isQccToken(value: string | undefined): boolean {
  return value?.startsWith(QCC_TOKEN_PREFIX) ?? false;
}

/** A loopback base URL together with a `qcc-` token: a QCC proxy, on whatever port. */
function isQccProxy(vars: Vars): boolean {
  return [vars[AUTH_TOKEN], vars[API_KEY]].some(isQccToken) && isLoopbackUrl(vars[BASE_URL]);
}

/** Connected to this proxy or another QCC one (the port may have changed since the first connect). */
function pointsAtQcc(env: JsonObject, proxyUrl: string): boolean {
  const base = env[BASE_URL];
  return (typeof base === 'string' && sameUrl(base, proxyUrl)) || isQccProxy(stringVars(env));
}

function isLoopbackUrl(url: string | undefined): boolean {
  if (url === undefined) return false;
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

function sameUrl(a: string, b: string): boolean {
  return normalizeUrl(a) === normalizeUrl(b);
}

function normalizeUrl(url: string): string {
  try {
    return new URL(url.trim()).href.replace(/\/+$/, '');
  } catch {
    return url.trim().replace(/\/+$/, '');
  }
}

function assertHttpUrl(url: string, what: string): void {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new Error(`${what} is not a valid URL`);
  }
  if (protocol !== 'http:' && protocol !== 'https:') throw new Error(`${what} must be an http:// or https:// URL`);
}
