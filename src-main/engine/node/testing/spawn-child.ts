import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A child running one of the TypeScript scripts in this folder, talking JSON lines on stdout. */
export interface TsChild {
  process: ChildProcess;
  /** The next JSON line the child prints; rejects (with its stderr) if it exits first. */
  next(): Promise<Record<string, unknown>>;
  /** Resolves once the child has exited and been reaped, so its pid is really gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/** Runs `testing/<script>` in a real Node process through tsx, the way a second QCC process would run. */
export function spawnTsChild(script: string, args: string[]): TsChild {
  const path = fileURLToPath(new URL(`./${script}`, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', path, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let buffer = '';
  const lines: Record<string, unknown>[] = [];
  const waiters: { resolve: (line: Record<string, unknown>) => void; reject: (error: Error) => void }[] = [];
  let ended = false;

  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let index;
    while ((index = buffer.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffer.slice(0, index)) as Record<string, unknown>;
      buffer = buffer.slice(index + 1);
      const waiter = waiters.shift();
      if (waiter) waiter.resolve(line);
      else lines.push(line);
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      ended = true;
      for (const waiter of waiters.splice(0)) {
        waiter.reject(new Error(`${script} exited (${code ?? signal}) before printing a line:\n${stderr}`));
      }
      resolve({ code, signal });
    });
  });

  return {
    process: child,
    exited,
    stderr: () => stderr,
    next() {
      const line = lines.shift();
      if (line) return Promise.resolve(line);
      if (ended) return Promise.reject(new Error(`${script} has exited:\n${stderr}`));
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
  };
}
