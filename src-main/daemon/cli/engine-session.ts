import type { CommandArgs, CommandName, CommandResult } from '../../../src-shared/contract/commands.js';
import { loadOrCreateToken } from '../../engine/node/access-token.js';
import { AdminClient } from '../../engine/node/admin-client.js';
import { HttpProber } from '../../engine/node/http-prober.js';
import { startNodeEngine } from '../../engine/node/start-node-engine.js';
import { findRunningDaemon } from '../daemon-state.js';
import { CliError } from './args.js';

/** The engine as the CLI reaches it: through a running daemon, or loaded from the data directory. */
export interface EngineSession {
  /** True when commands go to a running daemon (and so take effect there at once). */
  readonly remote: boolean;
  /** What the engine found wrong when loading the data directory (e.g. a corrupt settings file moved aside); a daemon logs its own. */
  readonly problems: readonly string[];
  invoke<K extends CommandName>(command: K, args: CommandArgs<K>): Promise<CommandResult<K>>;
  /** Waits for writes to reach the disk, and releases what was opened. */
  close(): Promise<void>;
}

/**
 * Prefers the running daemon so a change applies to live traffic at once
 * (and two engines never decide for the same data directory); otherwise runs
 * the engine in this process over the same files.
 */
export async function openEngine(dataDir: string): Promise<EngineSession> {
  const daemon = await findRunningDaemon(dataDir);
  if (daemon) {
    const client = new AdminClient(daemon.admin_url, await loadOrCreateToken(dataDir, 'admin-token'));
    return { remote: true, problems: [], invoke: (command, args) => client.invoke(command, args), close: async () => undefined };
  }
  const prober = new HttpProber();
  const { engine } = await startNodeEngine({ dataDir, prober, notifier: { notify: () => undefined } });
  const loadProblems = engine.snapshot().problems;
  return {
    remote: false,
    problems: loadProblems,
    invoke: (command, args) => engine.dispatch(command, args) as Promise<CommandResult<typeof command>>,
    close: async () => {
      await engine.whenPersisted();
      await prober.close();
      // The engine saves history and the active config in the background; a write
      // that failed after the command "succeeded" must still fail the command.
      const late = engine.snapshot().problems.slice(loadProblems.length);
      if (late.length > 0) throw new CliError(late.join('; '));
    },
  };
}
