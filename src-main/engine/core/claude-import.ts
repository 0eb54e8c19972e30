import type { CommandArgs } from '../../../src-shared/contract/commands.js';
import type { ClaudeCodeSettings } from './ports.js';

/** What Claude Code was found to use. */
export type DetectedClaudeUpstream = NonNullable<Awaited<ReturnType<ClaudeCodeSettings['detect']>>>;

/** Why there is nothing to import; shared by `claude:import` and `qcc claude import`. */
export const NOTHING_TO_IMPORT = 'found no Claude Code API settings to import (no ANTHROPIC_API_KEY or ANTHROPIC_AUTH_TOKEN in ~/.claude/settings.json or the environment)';

/**
 * The config an import adds: named `claude-code` unless asked otherwise, and
 * saying where it came from. The engine command (the host's view of Claude
 * Code's settings) and the CLI (the shell's, environment included) both use it.
 */
export function importedConfigArgs(found: DetectedClaudeUpstream, name?: string): CommandArgs<'config:add'> {
  return {
    name: name ?? 'claude-code',
    description: `imported from ${found.source}`,
    endpoints: [{ base_url: found.base_url, api_key: found.api_key, auth_style: found.auth_style }],
  };
}
