import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const QCC_BIN = fileURLToPath(new URL('../../bin/qcc.mjs', import.meta.url));

/** Runs `qcc demo`, feeding it one command whenever it shows its prompt. */
function runDemo(commands: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [QCC_BIN, 'demo'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let prompts = 0;
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const seen = output.split('demo> ').length - 1;
      while (prompts < seen) {
        const next = commands[prompts];
        prompts += 1;
        if (next !== undefined) child.stdin.write(`${next}\n`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('qcc demo', () => {
  it('lets a newcomer break the primary and watch traffic fail over, with no real key', async () => {
    const { code, output } = await runDemo(['send', 'break prod-a', 'break prod-b overloaded', 'send 3', 'status', 'history', 'break nowhere', 'quit']);
    expect(code).toBe(0);
    expect(output).toContain('→ ✓ 200 served by production');
    expect(output).toMatch(/FAILOVER: production → backup/);
    expect(output).toMatch(/→ ✓ 200 served by backup \(1 attempt\(s\)/);
    expect(output).toContain("no upstream 'nowhere'");
    expect(output).not.toContain('✗ 5'); // no request failed
    expect(output).toContain('Demo stopped.');
  }, 45_000);
});
