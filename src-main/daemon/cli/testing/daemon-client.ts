import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CliResult, CliSandbox, DaemonState } from './run-cli.js';

// Test helpers for CLI specs that run the real detached daemon: start it the
// way a user would, then talk to it the way Claude Code and the dashboard do.
// No test framework here, like run-cli.ts.

/**
 * `qcc proxy start` on ephemeral ports. The daemon's pid is tracked before
 * anything is checked, so the sandbox stops it even if the start looks failed.
 */
export async function startDaemon(box: CliSandbox): Promise<{ result: CliResult; state: DaemonState | null }> {
  const result = await box.run(['proxy', 'start', '--port', '0', '--admin-port', '0'], { timeoutMs: 45_000 });
  const state = await box.daemonState();
  if (state) box.trackPid(state.pid);
  return { result, state };
}

const MESSAGE = JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });

/** One small Messages API request through the proxy at `proxyUrl`, with the given auth `headers`. */
export async function sendMessage(proxyUrl: string, headers: Record<string, string>, path = '/v1/messages'): Promise<{ status: number; text: string }> {
  const response = await fetch(`${proxyUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers },
    body: MESSAGE,
    signal: AbortSignal.timeout(15_000),
  });
  return { status: response.status, text: await response.text() };
}

/** One command through the running daemon's admin API (what the dashboard and the CLI use), to see what the daemon itself holds. */
export async function daemonRpc<T>(box: CliSandbox, command: string, args: unknown = {}): Promise<T> {
  const state = await box.daemonState();
  if (!state) throw new Error('no daemon.json');
  const token = (await readFile(join(box.qccHome, 'admin-token'), 'utf8')).trim();
  const response = await fetch(`${state.admin_url}/api/rpc`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ command, args }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as { ok: boolean; result: T; error?: unknown };
  if (!body.ok) throw new Error(`daemon rpc ${command} failed: ${JSON.stringify(body.error)}`);
  return body.result;
}
