import { NOTHING_TO_IMPORT, importedConfigArgs } from '../../engine/core/claude-import.js';
import { loadOrCreateToken } from '../../engine/node/access-token.js';
import { ensureDataDir } from '../../engine/node/data-dir.js';
import { connectClaudeCode, detectClaudeUpstream, disconnectClaudeCode, shellExports } from '../claude-settings.js';
import { DEFAULT_PROXY_PORT } from '../daemon.js';
import { findRunningDaemon } from '../daemon-state.js';
import { CliError, UsageError, choiceOption, parse } from './args.js';
import { withSession } from './config-commands.js';
import type { CliContext } from './context.js';

const SHELLS = ['posix', 'fish', 'powershell'] as const;

/** `qcc claude env|connect|disconnect|import` */
export async function claudeCommand(argv: string[], context: CliContext): Promise<void> {
  const [verb, ...rest] = argv;
  switch (verb) {
    case 'env': {
      const { values } = parse('claude env', rest, { shell: { type: 'string' } }, { min: 0, max: 0, names: '' });
      const shell = choiceOption('claude env', 'shell', values.shell, SHELLS) ?? 'posix';
      const { proxyUrl, token } = await proxyAccess(context);
      context.out(shellExports({ proxyUrl, token, shell }).trimEnd());
      return;
    }
    case 'connect': {
      parse('claude connect', rest, {}, { min: 0, max: 0, names: '' });
      const { proxyUrl, token, running } = await proxyAccess(context);
      await connectClaudeCode({ home: context.home, proxyUrl, token });
      context.out(`✓ Claude Code now talks to QCC at ${proxyUrl} (~/.claude/settings.json; the original is backed up)`);
      if (!running) context.out('  The proxy is not running yet: qcc proxy start');
      return;
    }
    case 'disconnect': {
      parse('claude disconnect', rest, {}, { min: 0, max: 0, names: '' });
      const result = await disconnectClaudeCode({ home: context.home });
      context.out(result.wasConnected ? '✓ Claude Code settings restored; it no longer goes through QCC' : 'Claude Code was not connected to QCC; nothing changed.');
      return;
    }
    case 'import': {
      const { values } = parse('claude import', rest, { name: { type: 'string' } }, { min: 0, max: 0, names: '' });
      const found = await detectClaudeUpstream({ home: context.home, env: context.env });
      if (!found) throw new CliError(NOTHING_TO_IMPORT);
      await withSession(context, async (session) => {
        // The shell's environment counts here, so the CLI detects itself rather than asking the daemon (claude:import).
        const config = await session.invoke('config:add', importedConfigArgs(found, values.name));
        context.out(`✓ Imported ${found.base_url} from ${found.source} as config '${config.name}' (${config.tier} tier, key ${config.endpoints[0]?.key_hint})`);
      });
      return;
    }
    default:
      throw new UsageError(verb ? `unknown subcommand '${verb}'` : 'missing subcommand (env, connect, disconnect or import)', 'claude');
  }
}

/** The proxy's URL (the running daemon's, else the default) and its access token. */
async function proxyAccess(context: CliContext): Promise<{ proxyUrl: string; token: string; running: boolean }> {
  await ensureDataDir(context.dataDir);
  const running = await findRunningDaemon(context.dataDir);
  const token = await loadOrCreateToken(context.dataDir, 'proxy-token');
  return { proxyUrl: running?.proxy_url ?? `http://127.0.0.1:${DEFAULT_PROXY_PORT}`, token, running: running !== null };
}
