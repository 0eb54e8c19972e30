import { createHash } from 'node:crypto';
import { access, chmod, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../../../src-shared/contract/errors.js';
import { SETTINGS_SCHEMA_VERSION, SettingsSchema, emptySettings, type Settings } from '../../../src-shared/model/settings.js';
import { describeIssues } from '../../../src-shared/model/validation.js';
import { UNAVAILABLE_KEY_PREFIX, type Endpoint } from '../../../src-shared/model/config.js';
import type { Clock, SettingsLoadResult, SettingsRepository } from '../core/ports.js';
import { removeStaleTempFiles, writeFileAtomic } from './atomic-file.js';
import { ensureDataDir } from './data-dir.js';
import { withFileLock } from './file-lock.js';
import { jsonSyntaxErrorPosition } from './json-syntax.js';
import { PlainSecretCodec, SecretCodecError, isSealed, type SecretCodec } from './secret-codec.js';
import { NewerSettingsVersionError, SettingsMigrationError, migrateSettings } from './settings-migrations.js';

export interface JsonSettingsRepositoryOptions {
  /** The data directory (see resolveDataDir). Created on the first write. */
  dir: string;
  /** Timestamps the names of files moved aside. Lock timing always uses real time: it is shared with other processes. */
  clock: Clock;
  /** How long `update` waits for another process's write; default withFileLock's. */
  lockTimeoutMs?: number;
  /** Seals API keys on write and unseals them on read; default PlainSecretCodec (keys stored as typed, mode 0600). */
  secrets?: SecretCodec;
  /** Writes settings.json and its .bak; default AtomicSettingsWriter. */
  writer?: SettingsDocumentWriter;
}

/**
 * Writes one whole settings document as stored (API keys already sealed),
 * atomically and owner-only (0600). Called under the repository's lock; the
 * repository does all reading, validation and repair itself.
 */
export interface SettingsDocumentWriter {
  write(file: string, doc: Settings): Promise<void>;
}

/** The text of a settings file: pretty JSON with a trailing newline, so hand edits and diffs stay readable. */
export function serializeSettings(doc: Settings): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** The default writer: writeFileAtomic, mode 0600. */
export class AtomicSettingsWriter implements SettingsDocumentWriter {
  async write(file: string, doc: Settings): Promise<void> {
    await writeFileAtomic(file, serializeSettings(doc), { mode: FILE_MODE });
  }
}

/**
 * An endpoint whose stored key this process cannot unseal (sealed by the
 * desktop app, or the keychain changed). In memory the key is a stand-in
 * (UNAVAILABLE_KEY_PREFIX) that the engine never sends: neither the proxy nor
 * the health monitor uses the endpoint, whatever its `enabled` flag, which
 * stays the user's to change. On disk the sealed key stays as it was.
 */
interface LockedKey {
  /** The stored value, written back byte for byte. */
  readonly sealed: string;
  readonly config: string;
  readonly endpointId: string;
  readonly error: SecretCodecError;
}

/** Locked keys by their in-memory placeholder. */
type LockedKeys = ReadonlyMap<string, LockedKey>;

/** What reading one settings file yielded. `reason` completes "<file> …" and never quotes file content. */
type StoredSettings =
  | { kind: 'missing' }
  | { kind: 'ok'; settings: Settings; from: number; text: string; locked: LockedKeys; plaintext: number }
  | { kind: 'invalid'; reason: string }
  | { kind: 'newer'; version: number };

/**
 * The current document under the lock; `stored` is false when nothing valid is
 * on disk. `plaintext` counts keys still unsealed in settings.json (0 once we rewrote it).
 */
type Current = { settings: Settings; stored: boolean; locked: LockedKeys; plaintext: number } | { newer: number };

/** A document about to be written: as stored, as this process holds it, and the sealed form of each key. */
interface Encoded {
  stored: Settings;
  memory: Settings;
  sealedKeys: Map<string, string>;
}

const FILE_MODE = 0o600;

function errnoCode(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? String(error);
}

function describeJsonError(text: string): string {
  if (text.trim() === '') return 'is empty';
  const at = jsonSyntaxErrorPosition(text);
  return at ? `is not valid JSON (line ${at.line}, column ${at.column})` : 'is not valid JSON';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Visits every endpoint object of an unvalidated document (any schema version: all keep configs[].endpoints[]). */
function forEachRawEndpoint(doc: unknown, visit: (endpoint: Record<string, unknown>, config: Record<string, unknown>) => void): void {
  if (!isRecord(doc) || !Array.isArray(doc.configs)) return;
  for (const config of doc.configs) {
    if (!isRecord(config) || !Array.isArray(config.endpoints)) continue;
    for (const endpoint of config.endpoints) if (isRecord(endpoint)) visit(endpoint, config);
  }
}

/**
 * Stands in for a key this process cannot unseal: a valid key shape (so the
 * document still validates), unique per endpoint, stable across reads (so the
 * engine keeps its breaker), and derived from nothing secret.
 */
function placeholderFor(config: string, endpointId: string, sealed: string): string {
  const digest = createHash('sha256').update(`${config}\n${endpointId}\n${sealed}`).digest('hex').slice(0, 16);
  return `${UNAVAILABLE_KEY_PREFIX}${digest}`;
}

/** A codec is expected to throw SecretCodecError; anything else is reported without its message, which could echo input. */
function asCodecError(error: unknown): SecretCodecError {
  return error instanceof SecretCodecError ? error : new SecretCodecError('not_decryptable', 'could not be decrypted');
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** A name next to `base` that is not taken yet, so one moved-aside copy never replaces another. */
async function freshName(base: string): Promise<string> {
  let candidate = base;
  for (let n = 2; await exists(candidate); n++) candidate = `${base}-${n}`;
  return candidate;
}

/**
 * Settings as one JSON document, `settings.json` (mode 0600), in the data
 * directory shared by every QCC process. Writes are atomic and serialized
 * across processes by `settings.lock`; the previous good document is kept as
 * `settings.json.bak`. A file that fails to parse or validate is never
 * overwritten: it is renamed to `settings.json.corrupt-<time>` and the .bak is
 * restored. A file from a newer QCC is left untouched and updates are refused.
 *
 * API keys go through a SecretCodec: sealed on every write, unsealed on read.
 * Plaintext keys on disk (written by a process that cannot seal) are accepted
 * and sealed on the next write. A key this process cannot unseal is kept on
 * disk exactly as stored; in memory it is a stand-in the engine never sends
 * (UNAVAILABLE_KEY_PREFIX), and `load` reports it.
 */
export class JsonSettingsRepository implements SettingsRepository {
  /** settings.json */
  readonly file: string;
  /** The last good document before the latest update. */
  readonly backupFile: string;
  readonly lockFile: string;
  private readonly dir: string;
  private readonly clock: Clock;
  private readonly lockTimeoutMs: number | undefined;
  private readonly secrets: SecretCodec;
  private readonly writer: SettingsDocumentWriter;
  /** Problems met by `update` that the next `load` reports. */
  private pending: string[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  /**
   * The stored form of each key seen, reused on write: an unchanged key keeps
   * its bytes on disk and costs no keychain call.
   */
  private sealedCache = new Map<string, string>();

  constructor(options: JsonSettingsRepositoryOptions) {
    this.dir = options.dir;
    this.clock = options.clock;
    this.lockTimeoutMs = options.lockTimeoutMs;
    this.secrets = options.secrets ?? new PlainSecretCodec();
    this.writer = options.writer ?? new AtomicSettingsWriter();
    this.file = join(this.dir, 'settings.json');
    this.backupFile = `${this.file}.bak`;
    this.lockFile = join(this.dir, 'settings.lock');
  }

  /** Problems met by `update` (e.g. a corrupt file moved aside) not yet reported by `load`. */
  get problems(): readonly string[] {
    return [...this.pending];
  }

  async load(): Promise<SettingsLoadResult> {
    return this.serialized(async () => {
      for (const path of [this.file, this.backupFile, this.lockFile]) await removeStaleTempFiles(path);
      const problems = this.pending.splice(0);
      const first = await this.readStored(this.file);
      // The common case needs no lock: writes are atomic, so a reader sees a whole document.
      if (first.kind === 'missing') return { settings: emptySettings(), problems };
      if (first.kind === 'ok' && first.from === SETTINGS_SCHEMA_VERSION) {
        return { settings: first.settings, problems: [...problems, ...this.describeLocked(first.locked)] };
      }
      if (first.kind === 'newer') {
        problems.push(`${this.newerMessage(first.version)} Starting with empty settings; changes are refused until then.`);
        return { settings: emptySettings(), problems };
      }
      // Repairs and migrations write, so they happen under the lock on a fresh read:
      // another process may have fixed or changed the file in the meantime.
      const current = await this.locked(() => this.readCurrent(problems));
      if ('newer' in current) {
        problems.push(`${this.newerMessage(current.newer)} Starting with empty settings; changes are refused until then.`);
        return { settings: emptySettings(), problems };
      }
      return { settings: current.settings, problems: [...problems, ...this.describeLocked(current.locked)] };
    });
  }

  async update(mutate: (current: Settings) => Settings): Promise<Settings> {
    return this.serialized(async () => {
      await ensureDataDir(this.dir);
      return this.locked(async () => {
        // Fresh from disk, not a cached copy: another process may have written since our last read.
        const current = await this.readCurrent(this.pending);
        if ('newer' in current) throw new EngineError('failed_precondition', this.newerMessage(current.newer));
        // A clone, so a mutate that edits in place and then throws leaves nothing half-applied.
        const next = mutate(structuredClone(current.settings));
        const parsed = SettingsSchema.safeParse(next);
        if (!parsed.success) throw new EngineError('invalid_argument', describeIssues(parsed.error));
        // Both are sealed before either is written: a key the keychain refuses leaves both files as they were.
        const backup = current.stored ? this.encode(current.settings, current.locked) : null;
        const written = this.encode(parsed.data, current.locked);
        if (backup) await this.writer.write(this.backupFile, backup.stored);
        await this.writer.write(this.file, written.stored);
        this.sealedCache = new Map([...(backup?.sealedKeys ?? []), ...written.sealedKeys]);
        return written.memory;
      });
    });
  }

  /**
   * Seals, now, every API key stored in plaintext in settings.json and its
   * .bak, e.g. keys the CLI added while the desktop app was closed. Does
   * nothing with a codec that does not seal. Returns how many keys it sealed.
   * Never throws: a failure becomes a problem the next `load` reports, since
   * the keys stay usable (and owner-only) as they are.
   */
  async sealPlaintextKeys(): Promise<number> {
    if (this.secrets.protection === 'none') return 0;
    return this.serialized(async () => {
      try {
        await ensureDataDir(this.dir);
        return await this.locked(async () => {
          let sealed = 0;
          const current = await this.readCurrent(this.pending);
          if (!('newer' in current) && current.plaintext > 0) {
            await this.writer.write(this.file, this.encode(current.settings, current.locked).stored);
            sealed += current.plaintext;
          }
          const backup = await this.readStored(this.backupFile);
          if (backup.kind === 'ok' && backup.plaintext > 0) {
            await this.writer.write(this.backupFile, this.encode(backup.settings, backup.locked).stored);
            sealed += backup.plaintext;
          }
          return sealed;
        });
      } catch (error) {
        this.pending.push(
          `${this.file}: API keys stored there unencrypted stay so for now (readable only by your user): ${errorMessage(error)}`,
        );
        return 0;
      }
    });
  }

  /** Parse, migrate, unseal and validate one file; the same rules apply to settings.json and its .bak. */
  private async readStored(path: string): Promise<StoredSettings> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return { kind: 'missing' };
      // Unreadable is not corrupt: moving it aside would not help and could lose it.
      throw new EngineError('storage_failed', `cannot read ${path} (${errnoCode(error)})`);
    }
    // Editors on Windows may add a byte order mark; it is not a reason to discard the file.
    const json = text.replace(/^\uFEFF/, '');
    let raw: unknown;
    try {
      raw = JSON.parse(json);
    } catch {
      return { kind: 'invalid', reason: describeJsonError(json) };
    }
    let migrated: { doc: unknown; from: number };
    try {
      migrated = migrateSettings(raw);
    } catch (error) {
      if (error instanceof NewerSettingsVersionError) return { kind: 'newer', version: error.version };
      if (error instanceof SettingsMigrationError) {
        return { kind: 'invalid', reason: `(schema ${error.fromVersion}) is not valid: ${error.detail}` };
      }
      throw error;
    }
    // Before validation: a sealed value is longer than the key it holds and may exceed the key's limit.
    const { locked, plaintext } = this.unsealRaw(migrated.doc);
    const parsed = SettingsSchema.safeParse(migrated.doc);
    if (!parsed.success) {
      const stored = migrated.from < SETTINGS_SCHEMA_VERSION ? ` (schema ${migrated.from}, after migration)` : '';
      return { kind: 'invalid', reason: `${stored} is not valid: ${describeIssues(parsed.error)}`.trimStart() };
    }
    return { kind: 'ok', settings: parsed.data, from: migrated.from, text, locked, plaintext };
  }

  /** Replaces every sealed key of a raw document by its plaintext, or by a placeholder when it cannot be unsealed. */
  private unsealRaw(doc: unknown): { locked: Map<string, LockedKey>; plaintext: number } {
    const locked = new Map<string, LockedKey>();
    let plaintext = 0;
    forEachRawEndpoint(doc, (endpoint, config) => {
      const stored = endpoint.api_key;
      if (typeof stored !== 'string') return;
      if (!isSealed(stored)) {
        plaintext++;
        return;
      }
      try {
        const plain = this.secrets.unseal(stored);
        this.sealedCache.set(plain, stored);
        endpoint.api_key = plain;
      } catch (error) {
        const configName = String(config.name);
        const endpointId = String(endpoint.id);
        const placeholder = placeholderFor(configName, endpointId, stored);
        locked.set(placeholder, { sealed: stored, config: configName, endpointId, error: asCodecError(error) });
        endpoint.api_key = placeholder;
      }
    });
    return { locked, plaintext };
  }

  /** The stored form of `settings`: keys sealed, locked keys restored byte for byte. */
  private encode(settings: Settings, locked: LockedKeys): Encoded {
    const sealedKeys = new Map<string, string>();
    const stored: Settings['configs'] = [];
    const memory: Settings['configs'] = [];
    for (const config of settings.configs) {
      const storedEndpoints: Endpoint[] = [];
      const memoryEndpoints: Endpoint[] = [];
      for (const endpoint of config.endpoints) {
        const lock = locked.get(endpoint.api_key);
        if (lock) {
          storedEndpoints.push({ ...endpoint, api_key: lock.sealed });
          memoryEndpoints.push(endpoint);
          continue;
        }
        const sealed = this.sealKey(endpoint.api_key, config.name, endpoint.id);
        sealedKeys.set(endpoint.api_key, sealed);
        storedEndpoints.push({ ...endpoint, api_key: sealed });
        memoryEndpoints.push(endpoint);
      }
      stored.push({ ...config, endpoints: storedEndpoints });
      memory.push({ ...config, endpoints: memoryEndpoints });
    }
    return { stored: { ...settings, configs: stored }, memory: { ...settings, configs: memory }, sealedKeys };
  }

  private sealKey(plain: string, configName: string, endpointId: string): string {
    // Already in stored form (pasted, or from a scheme we do not know): sealing it again would lose it.
    if (isSealed(plain)) return plain;
    const cached = this.sealedCache.get(plain);
    if (cached !== undefined) return cached;
    try {
      return this.secrets.seal(plain);
    } catch (error) {
      throw new EngineError(
        'storage_failed',
        `cannot store the API key of config "${configName}", endpoint ${endpointId}: it ${asSealError(error).message}`,
      );
    }
  }

  /** Reads settings.json under the lock, migrating or repairing it on disk; records problems. */
  private async readCurrent(problems: string[]): Promise<Current> {
    const stored = await this.readStored(this.file);
    switch (stored.kind) {
      case 'missing':
        return { settings: emptySettings(), stored: false, locked: new Map(), plaintext: 0 };
      case 'newer':
        return { newer: stored.version };
      case 'ok':
        if (stored.from < SETTINGS_SCHEMA_VERSION) {
          await this.writeMigrated(stored.text, stored.from, stored.settings, stored.locked);
          return { settings: stored.settings, stored: true, locked: stored.locked, plaintext: 0 };
        }
        return { settings: stored.settings, stored: true, locked: stored.locked, plaintext: stored.plaintext };
      case 'invalid':
        return this.recover(stored.reason, problems);
    }
  }

  private async writeMigrated(originalText: string, from: number, settings: Settings, locked: LockedKeys): Promise<void> {
    const encoded = this.encode(settings, locked);
    // The original goes first: if we die between the two writes, nothing is lost.
    const backup = await freshName(`${this.file}.v${from}-backup`);
    await writeFileAtomic(backup, this.sealOriginal(originalText), { mode: FILE_MODE });
    await this.writer.write(this.file, encoded.stored);
  }

  /**
   * The pre-migration original, byte for byte when keys are not sealed;
   * otherwise with its keys sealed, so no plaintext copy outlives the migration.
   */
  private sealOriginal(text: string): string {
    if (this.secrets.protection === 'none') return text;
    const doc = JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
    forEachRawEndpoint(doc, (endpoint, config) => {
      // Every release so far names the key `key` (v1) or `api_key` (v2).
      for (const field of ['key', 'api_key']) {
        const value = endpoint[field];
        if (typeof value === 'string') endpoint[field] = this.sealKey(value, String(config.name), String(endpoint.id));
      }
    });
    return `${JSON.stringify(doc, null, 2)}\n`;
  }

  private async recover(reason: string, problems: string[]): Promise<Current> {
    const aside = await this.moveAside();
    const backup = await this.readStored(this.backupFile);
    if (backup.kind === 'ok') {
      await this.writer.write(this.file, this.encode(backup.settings, backup.locked).stored);
      problems.push(`${this.file} ${reason}; it was moved to ${aside}. Restored the last good copy from ${this.backupFile}.`);
      return { settings: backup.settings, stored: true, locked: backup.locked, plaintext: 0 };
    }
    let backupNote = '';
    if (backup.kind === 'invalid') backupNote = ` ${this.backupFile} ${backup.reason}, so it was not used.`;
    if (backup.kind === 'newer') backupNote = ` ${this.backupFile} is from a newer QCC (schema ${backup.version}), so it was not used.`;
    problems.push(`${this.file} ${reason}; it was moved to ${aside}.${backupNote} Starting with empty settings.`);
    return { settings: emptySettings(), stored: false, locked: new Map(), plaintext: 0 };
  }

  /** Renames the bad file out of the way, keeping its bytes, under a name valid on Windows too. */
  private async moveAside(): Promise<string> {
    const stamp = new Date(this.clock.now()).toISOString().replace(/:/g, '-');
    const aside = await freshName(`${this.file}.corrupt-${stamp}`);
    try {
      await rename(this.file, aside);
    } catch (error) {
      throw new EngineError('storage_failed', `cannot move invalid ${this.file} aside to ${aside} (${errnoCode(error)})`);
    }
    // It may still hold API keys.
    await chmod(aside, FILE_MODE).catch(() => undefined);
    return aside;
  }

  /** One problem per key this process cannot unseal: where it is, why, and what to do; never the key or its blob. */
  private describeLocked(locked: LockedKeys): string[] {
    return [...locked.values()].map((lock) => {
      const orDesktop = lock.error.code === 'sealed_elsewhere' ? ', or run the QCC desktop app, which can read it' : '';
      return (
        `${this.file}: the API key of config "${lock.config}", endpoint ${lock.endpointId} ${lock.error.message}, ` +
        'so the endpoint is not used here; the stored key is kept as it is. ' +
        `Re-enter the key with \`qcc endpoint update ${lock.config} ${lock.endpointId} --api-key <key>\`${orDesktop}.`
      );
    });
  }

  private newerMessage(version: number): string {
    return (
      `${this.file} was written by a newer QCC (schema ${version}); this QCC understands schema ${SETTINGS_SCHEMA_VERSION} ` +
      'and will not change it. Update QCC, or move the file aside to start over.'
    );
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    return withFileLock(this.lockFile, fn, { timeoutMs: this.lockTimeoutMs, resource: 'settings' });
  }

  /** One operation at a time within this process; the file lock orders us against other processes. */
  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** A codec's seal error, or a generic one: a foreign error's message could echo the key. */
function asSealError(error: unknown): SecretCodecError {
  return error instanceof SecretCodecError ? error : new SecretCodecError('encrypt_failed', 'could not be encrypted');
}
