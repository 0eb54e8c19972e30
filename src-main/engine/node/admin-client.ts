import { request } from 'undici';
import type { CommandArgs, CommandName, CommandResult } from '../../../src-shared/contract/commands.js';
import { EngineError, isEngineErrorData } from '../../../src-shared/contract/errors.js';
import { ADMIN_API } from './admin-server.js';

/** Calls a running QCC's engine over the admin API, with the same contract as in-process. */
export class AdminClient {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  async invoke<K extends CommandName>(command: K, args: CommandArgs<K>): Promise<CommandResult<K>> {
    return (await this.dispatch(command, args)) as CommandResult<K>;
  }

  /** Untyped variant, for callers that forward user input. */
  async dispatch(command: string, args: unknown): Promise<unknown> {
    let response;
    try {
      response = await request(`${this.url}${ADMIN_API.rpc}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ command, args }),
        headersTimeout: 120_000,
      });
    } catch (error) {
      throw new EngineError('failed_precondition', `cannot reach the QCC daemon at ${this.url}: ${(error as Error).message}`);
    }
    const body = (await response.body.json().catch(() => null)) as { ok?: boolean; result?: unknown; error?: unknown } | null;
    if (body?.ok === true) return body.result;
    if (body && isEngineErrorData(body.error)) throw EngineError.fromData(body.error);
    throw new EngineError('internal', `the QCC daemon answered ${response.statusCode} without a usable body`);
  }
}

/** Asks `/api/health` (no token needed); resolves to its JSON or null if nothing answers in time. */
export async function probeAdmin(url: string, timeoutMs = 1_500): Promise<Record<string, unknown> | null> {
  try {
    const response = await request(`${url}${ADMIN_API.health}`, { signal: AbortSignal.timeout(timeoutMs) });
    if (response.statusCode !== 200) {
      await response.body.dump();
      return null;
    }
    return (await response.body.json()) as Record<string, unknown>;
  } catch {
    return null;
  }
}
