import { Engine } from '../core/engine.js';
import type { Clock, Notifier, Prober } from '../core/ports.js';
import { ensureDataDir, resolveDataDir } from './data-dir.js';
import { JsonSettingsRepository } from './json-settings-repository.js';
import { JsonlEventLog } from './jsonl-event-log.js';
import { RandomIds } from './random-ids.js';
import { SystemClock } from './system-clock.js';

export interface NodeEngineOptions {
  /** Data directory; `$QCC_HOME` or `~/.qcc` when omitted. */
  dataDir?: string;
  notifier: Notifier;
  prober?: Prober;
  clock?: Clock;
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
 */
export async function startNodeEngine(options: NodeEngineOptions): Promise<NodeEngine> {
  const dataDir = options.dataDir ?? resolveDataDir();
  await ensureDataDir(dataDir);
  const clock = options.clock ?? new SystemClock();
  const settings = new JsonSettingsRepository({ dir: dataDir, clock });
  const events = new JsonlEventLog({ dir: dataDir });
  const engine = await Engine.start({
    clock,
    ids: new RandomIds(),
    settings,
    events,
    notifier: options.notifier,
    ...(options.prober ? { prober: options.prober } : {}),
  });
  return { engine, dataDir, settings, events };
}
