import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The data directory shared by the desktop app, the daemon and the CLI:
 * `$QCC_HOME` if set (so tests and side-by-side installs stay isolated), else `~/.qcc`.
 */
export function resolveDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.QCC_HOME?.trim();
  return override ? resolve(override) : join(homedir(), '.qcc');
}

/**
 * Creates the data directory (and missing parents) readable by the owner only,
 * because it holds API keys. An existing directory is left as the user made it.
 */
export async function ensureDataDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}
