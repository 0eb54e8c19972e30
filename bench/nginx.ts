/**
 * nginx as the reference proxy: one worker, `proxy_buffering off`, keep-alive
 * to the upstream — the fastest honest pass-through on this machine.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childrenOf } from './procfs.js';

/** `nginx/1.22.1`, or null when nginx is not on PATH. */
export function nginxVersion(): string | null {
  const probe = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return null;
  return /nginx\/\S+/.exec(`${probe.stderr}${probe.stdout}`)?.[0] ?? 'nginx';
}

export function nginxConfig(dir: string, listenPort: number, upstream: URL): string {
  return `# Written by bench/nginx.ts for one benchmark run.
daemon off;
master_process on;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'client_body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  keepalive_timeout 65s;
  keepalive_requests 1000000;
  upstream fake {
    server ${upstream.hostname}:${upstream.port};
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${listenPort};
    location / {
      proxy_pass http://fake;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
`;
}

/** A running nginx master (`daemon off`) and its single worker. */
export class Nginx {
  private constructor(
    private readonly master: ChildProcess,
    private readonly dir: string,
    readonly url: string,
    readonly workerPid: number,
  ) {}

  static async start(upstreamUrl: string): Promise<Nginx> {
    const dir = mkdtempSync(join(tmpdir(), 'qcc-bench-nginx-'));
    const port = await freePort();
    const file = join(dir, 'nginx.conf');
    writeFileSync(file, nginxConfig(dir, port, new URL(upstreamUrl)));
    const master = spawn('nginx', ['-p', dir, '-c', file], { stdio: ['ignore', 'inherit', 'inherit'] });
    let exited = false;
    master.once('exit', () => (exited = true));
    const deadline = Date.now() + 10_000;
    while (!(await accepts(port))) {
      if (exited || Date.now() > deadline) {
        master.kill('SIGKILL');
        throw new Error(`nginx did not start: ${readLog(dir)}`);
      }
      await sleep(50);
    }
    let workers = childrenOf(master.pid as number);
    while (workers.length === 0 && Date.now() < deadline) {
      await sleep(20);
      workers = childrenOf(master.pid as number);
    }
    if (workers.length !== 1) throw new Error(`expected one nginx worker, found ${workers.length}`);
    return new Nginx(master, dir, `http://127.0.0.1:${port}`, workers[0] as number);
  }

  get masterPid(): number {
    return this.master.pid as number;
  }

  /** Errors nginx logged during the run (empty when all went well). */
  errors(): string {
    return readLog(this.dir);
  }

  async stop(): Promise<void> {
    if (this.master.exitCode === null && this.master.signalCode === null) {
      const exited = new Promise((resolve) => this.master.once('exit', resolve));
      this.master.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'error.log'), 'utf8').trim();
  } catch {
    return '';
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
