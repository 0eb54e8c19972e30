import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Token files in the data directory: one for the proxy, one for the admin server. */
export type TokenName = 'proxy-token' | 'admin-token';

/**
 * Reads a local access token, creating it on first use (mode 0600). Creation
 * uses O_EXCL so two processes starting together end up with the same token.
 */
export async function loadOrCreateToken(dataDir: string, name: TokenName): Promise<string> {
  const file = join(dataDir, name);
  for (let attempt = 0; attempt < 50; attempt++) {
    const existing = await readToken(file);
    if (existing) return existing;
    const token = `qcc-${randomBytes(24).toString('base64url')}`;
    try {
      await writeFile(file, `${token}\n`, { flag: 'wx', mode: 0o600 });
      return token;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // Another process is creating it right now: read theirs once it is written.
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  throw new Error(`could not read or create ${file}`);
}

async function readToken(file: string): Promise<string | null> {
  try {
    const token = (await readFile(file, 'utf8')).trim();
    return token.length > 0 ? token : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
