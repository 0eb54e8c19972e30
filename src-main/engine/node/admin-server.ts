import { timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { contentTypeFor, resolveInside } from './static-files.js';
import { EngineError, isEngineErrorData, type ErrorCode } from '../../../src-shared/contract/errors.js';
import { ENGINE_EVENT_NAMES } from '../../../src-shared/contract/events.js';
import type { Engine } from '../core/engine.js';
import { listenOn } from './http-util.js';

/** Where the admin API lives; the dashboard is served from `/`. */
export const ADMIN_API = { health: '/api/health', rpc: '/api/rpc', events: '/api/events' } as const;

const MAX_RPC_BYTES = 1024 * 1024;
const HEARTBEAT_MS = 15_000;

const STATUS_OF: Record<ErrorCode, number> = {
  invalid_argument: 400,
  unknown_command: 400,
  unauthorized: 401,
  not_found: 404,
  already_exists: 409,
  failed_precondition: 409,
  storage_failed: 500,
  internal: 500,
};

export interface AdminServerOptions {
  engine: Engine;
  /** The admin token; every API call must present it as `Authorization: Bearer`. */
  token: string;
  /** Built dashboard files, served at `/` when the folder exists. */
  staticDir?: string;
  /** Extra facts for `/api/health` (e.g. the daemon's pid and proxy URL). No secrets. */
  describe?: () => Record<string, unknown>;
}

/**
 * The engine contract over HTTP for the browser dashboard and the CLI:
 * `POST /api/rpc` runs one command, `GET /api/events` streams engine events
 * (SSE). Loopback only. Every API call needs the admin token; Host and Origin
 * are checked against the server's own address (DNS rebinding, cross-site
 * pages), and no CORS headers are ever sent.
 */
export class AdminServer {
  private readonly server: Server;
  private readonly token: Buffer;
  private port = 0;

  constructor(private readonly options: AdminServerOptions) {
    this.token = Buffer.from(options.token);
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: 'internal', message: errorMessage(error) } });
        else res.destroy();
      });
    });
  }

  async listen(port: number, host = '127.0.0.1'): Promise<AddressInfo> {
    const address = await listenOn(this.server, port, host);
    this.port = address.port;
    return address;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    if (!this.hostAllowed(req.headers.host)) {
      sendJson(res, 421, { ok: false, error: { code: 'unauthorized', message: 'unexpected Host header' } });
      return;
    }
    if (!this.originAllowed(req.headers.origin)) {
      sendJson(res, 403, { ok: false, error: { code: 'unauthorized', message: 'cross-origin requests are not allowed' } });
      return;
    }
    const path = (req.url ?? '/').split('?')[0] as string;
    if (path === ADMIN_API.health && req.method === 'GET') {
      sendJson(res, 200, { ok: true, service: 'qcc-admin', ...this.options.describe?.() });
      return;
    }
    if (path.startsWith('/api/')) {
      if (!this.authorized(req)) {
        sendJson(res, 401, { ok: false, error: { code: 'unauthorized', message: 'missing or wrong admin token' } });
        return;
      }
      if (path === ADMIN_API.rpc && req.method === 'POST') return this.rpc(req, res);
      if (path === ADMIN_API.events && req.method === 'GET') return this.events(req, res);
      sendJson(res, 404, { ok: false, error: { code: 'not_found', message: `no API route ${req.method} ${path}` } });
      return;
    }
    if (req.method === 'GET' || req.method === 'HEAD') return this.serveStatic(path, res);
    sendJson(res, 405, { ok: false, error: { code: 'invalid_argument', message: `method ${req.method} not allowed` } });
  }

  private async rpc(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let payload: unknown;
    try {
      payload = JSON.parse(await readLimited(req, MAX_RPC_BYTES));
    } catch (error) {
      sendJson(res, 400, { ok: false, error: { code: 'invalid_argument', message: `request body: ${errorMessage(error)}` } });
      return;
    }
    if (typeof payload !== 'object' || payload === null || typeof (payload as { command?: unknown }).command !== 'string') {
      sendJson(res, 400, { ok: false, error: { code: 'invalid_argument', message: 'request body must be {"command": "domain:verb", "args": {…}}' } });
      return;
    }
    const { command, args } = payload as { command: string; args?: unknown };
    try {
      const result = await this.options.engine.dispatch(command, args ?? {});
      sendJson(res, 200, { ok: true, result });
    } catch (error) {
      const data = error instanceof EngineError ? error.toData() : isEngineErrorData(error) ? error : { code: 'internal' as const, message: errorMessage(error) };
      sendJson(res, STATUS_OF[data.code], { ok: false, error: data });
    }
  }

  /** Server-sent events: the current snapshot first, then every engine event as it happens. */
  private events(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    send('state:changed', this.options.engine.snapshot());
    const unsubscribers = ENGINE_EVENT_NAMES.map((name) => this.options.engine.on(name, (payload) => send(name, payload)));
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    req.on('close', () => {
      clearInterval(heartbeat);
      for (const unsubscribe of unsubscribers) unsubscribe();
    });
  }

  private async serveStatic(path: string, res: ServerResponse): Promise<void> {
    const root = this.options.staticDir;
    const file = root ? resolveInside(root, path === '/' ? '/index.html' : path) : null;
    const found = file ? await stat(file).then((s) => s.isFile(), () => false) : false;
    if (!root || !file || !found) {
      if (path === '/' || path === '/index.html') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'" });
        res.end('<!doctype html><title>QCC</title><h1>QCC is running</h1><p>The dashboard has not been built. Use the <code>qcc</code> CLI meanwhile.</p>');
        return;
      }
      sendJson(res, 404, { ok: false, error: { code: 'not_found', message: `no file ${path}` } });
      return;
    }
    res.writeHead(200, {
      'content-type': contentTypeFor(file),
      'cache-control': 'no-cache',
      'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
    });
    createReadStream(file).pipe(res);
  }

  private authorized(req: IncomingMessage): boolean {
    const header = req.headers.authorization;
    if (typeof header !== 'string' || !/^bearer /i.test(header)) return false;
    const presented = Buffer.from(header.slice(7).trim());
    return presented.length === this.token.length && timingSafeEqual(presented, this.token);
  }

  /** Only our own loopback names: a rebinding DNS name pointing at 127.0.0.1 is refused. */
  private hostAllowed(host: string | undefined): boolean {
    if (!host) return false;
    return [`127.0.0.1:${this.port}`, `localhost:${this.port}`, `[::1]:${this.port}`].includes(host.toLowerCase());
  }

  /** Browsers send Origin on cross-site requests; only our own origin may call. */
  private originAllowed(origin: string | undefined): boolean {
    if (origin === undefined) return true;
    return [`http://127.0.0.1:${this.port}`, `http://localhost:${this.port}`, `http://[::1]:${this.port}`].includes(origin.toLowerCase());
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

async function readLimited(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new Error(`larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
