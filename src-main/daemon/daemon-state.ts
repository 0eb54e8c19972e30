import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { probeAdmin } from '../engine/node/admin-client.js';
import { writeFileAtomic } from '../engine/node/atomic-file.js';
import { isProcessAlive } from '../engine/node/process-alive.js';

/** What a running daemon publishes in `$QCC_HOME/daemon.json` so the CLI can find it. No secrets. */
export const DaemonStateSchema = z.object({
  pid: z.number().int(),
  proxy_url: z.string(),
  admin_url: z.string(),
  started_at: z.string(),
});
export type DaemonState = z.infer<typeof DaemonStateSchema>;

const FILE = 'daemon.json';

export async function writeDaemonState(dataDir: string, state: DaemonState): Promise<void> {
  await writeFileAtomic(join(dataDir, FILE), `${JSON.stringify(state, null, 2)}\n`);
}

export async function readDaemonState(dataDir: string): Promise<DaemonState | null> {
  try {
    const parsed = DaemonStateSchema.safeParse(JSON.parse(await readFile(join(dataDir, FILE), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Removes daemon.json, but only if it still describes process `pid` (a newer daemon may have replaced it). */
export async function removeDaemonState(dataDir: string, pid: number): Promise<void> {
  const current = await readDaemonState(dataDir);
  if (current?.pid === pid) await unlink(join(dataDir, FILE)).catch(() => undefined);
}

/**
 * The daemon serving this data directory, if one is really running: its
 * process is alive and its admin server answers with the same pid. A stale
 * daemon.json from a crash is ignored.
 */
export async function findRunningDaemon(dataDir: string): Promise<DaemonState | null> {
  const state = await readDaemonState(dataDir);
  if (!state || !isProcessAlive(state.pid)) return null;
  const health = await probeAdmin(state.admin_url);
  return health?.pid === state.pid ? state : null;
}
