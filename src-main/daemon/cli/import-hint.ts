import { detectClaudeUpstream } from '../claude-settings.js';
import type { CliContext } from './context.js';

/**
 * First run: if Claude Code is already set up with a key, offer to bring it
 * in as a config rather than make the user type it again.
 */
export async function importHint(context: CliContext): Promise<string | null> {
  const found = await detectClaudeUpstream({ home: context.home, env: context.env }).catch(() => null);
  if (!found) return null;
  return `Claude Code currently uses ${found.base_url} (from ${found.source}). Import it as a config: qcc claude import`;
}
