import { Engine } from '../core/engine.js';
import type { ClaudeCodeSettings, Clock, Notifier, Prober } from '../core/ports.js';
import { ensureDataDir, resolveDataDir } from './data-dir.js';
import { JsonSettingsRepository, type SettingsDocumentWriter } from './json-settings-repository.js';
import { JsonlEventLog } from './jsonl-event-log.js';
import { RandomIds } from './random-ids.js';
import type { SecretCodec } from './secret-codec.js';
import { SystemClock } from './system-clock.js';

export interface NodeEngineOptions {
  /** Data directory; `$QCC_HOME` or `~/.qcc` when omitted. */
  dataDir?: string;
  notifier: Notifier;
  prober?: Prober;
  clock?: Clock;
  /** Seals API keys at rest (the desktop app's safeStorage); default: stored as typed, mode 0600. */
  secrets?: SecretCodec;
  /** Writes the settings document (the desktop app's electron-store); default: an atomic file write. */
  settingsWriter?: SettingsDocumentWriter;
  /** Reads Claude Code's API settings for `claude:import`; without it the command is refused. */
  claudeCode?: ClaudeCodeSettings;
}

export interface NodeEngine {
  engine: Engine;
  dataDir: string;
  settings: JsonSettingsRepository;
  events: JsonlEventLog;
}

/**
 * Composes the engine with its Node adapters over the shared data directory:
 * the one composition root for the daemon, the desktop app and integration tests.
 * With a sealing `secrets` codec, plaintext keys on disk are sealed at once.
 */
export async function startNodeEngine(options: NodeEngineOptions): Promise<NodeEngine> {
  const dataDir = options.dataDir ?? resolveDataDir();
  await ensureDataDir(dataDir);
  const clock = options.clock ?? new SystemClock();
  const settings = new JsonSettingsRepository({
    dir: dataDir,
    clock,
    ...(options.secrets ? { secrets: options.secrets } : {}),
    ...(options.settingsWriter ? { writer: options.settingsWriter } : {}),
  });
  // Keys the CLI or daemon stored while this host was not running are sealed
  // before anything else reads them; a failure is reported by load, not fatal.
  await settings.sealPlaintextKeys();
  const events = new JsonlEventLog({ dir: dataDir });
  const engine = await Engine.start({
    clock,
    ids: new RandomIds(),
    settings,
    events,
    notifier: options.notifier,
    ...(options.prober ? { prober: options.prober } : {}),
    ...(options.claudeCode ? { claudeCode: options.claudeCode } : {}),
  });
  return { engine, dataDir, settings, events };
}
