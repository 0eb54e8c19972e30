import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';

/** A child process's output so far, its exit, and a wait for a line of stdout. */
export interface CollectedOutput {
  stdout(): string;
  stderr(): string;
  exit: Promise<number | null>;
  /** Resolves with the first match in stdout; rejects (with both streams) if the process exits first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
}

/** Collects a subprocess's stdout and stderr as they arrive (for the start and dev script specs). */
export function collectOutput(child: ChildProcessByStdio<null, Readable, Readable>): CollectedOutput {
  let stdout = '';
  let stderr = '';
  let exited = false;
  const waiters: Array<() => void> = [];
  const wake = () => waiters.splice(0).forEach((waiter) => waiter());
  child.stdout.on('data', (chunk: Buffer) => ((stdout += chunk.toString('utf8')), wake()));
  child.stderr.on('data', (chunk: Buffer) => ((stderr += chunk.toString('utf8')), wake()));
  const exit = new Promise<number | null>((resolve) => child.once('close', (code) => ((exited = true), resolve(code), wake())));
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    exit,
    async waitFor(pattern) {
      for (;;) {
        const match = pattern.exec(stdout);
        if (match) return match;
        if (exited) throw new Error(`exited before printing ${pattern}\nstdout: ${stdout}\nstderr: ${stderr}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}
