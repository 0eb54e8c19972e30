import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

interface Run {
  /** Resolves with the first stdout line (the URL). */
  firstLine: Promise<string>;
  exited: Promise<{ code: number | null; stderr: string }>;
  interrupt(): void;
}

function run(args: string[]): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.once('close', (code) => resolve({ code, stderr })));
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const end = stdout.indexOf('\n');
      if (end >= 0) resolve(stdout.slice(0, end));
    });
    void exited.then(({ code }) => reject(new Error(`exited ${code} before printing a line:\n${stderr}`)));
  });
  firstLine.catch(() => undefined); // a run that is only expected to fail never awaits its first line
  return { firstLine, exited, interrupt: () => child.kill('SIGINT') };
}

describe('fake-upstream CLI', () => {
  it('prints its URL, serves replies naming it, and stops on Ctrl-C', async () => {
    const cli = run(['--port', '0', '--name', 'cli-demo', '--api-key', 'sk-cli']);
    const url = await cli.firstLine;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-cli' },
      body: JSON.stringify({ model: 'm', max_tokens: 5, messages: [] }),
    });
    expect(await res.json()).toMatchObject({ content: [{ type: 'text', text: 'Hello from cli-demo.' }] });
    cli.interrupt();
    expect((await cli.exited).code).toBe(0);
  });

  it('rejects an unknown flag with one clear line and exit code 2', async () => {
    const { code, stderr } = await run(['--bogus']).exited;
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe("fake-anthropic: Unknown option '--bogus'");
  });
});
