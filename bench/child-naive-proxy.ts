/**
 * Child process: the reference "naive pass-through" Node proxy — node:http in
 * front, undici's keep-alive pool behind, no auth, no planning, no failover.
 * It shows what Node alone costs, so QCC's own overhead is QCC minus this.
 * Usage: child-naive-proxy.ts UPSTREAM_URL
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, type Dispatcher } from 'undici';
import { announceReady, serveCommands } from './protocol.js';

const upstream = process.argv[2];
if (!upstream) throw new Error('usage: child-naive-proxy.ts UPSTREAM_URL');
const origin = new URL(upstream).origin;

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'expect', 'host', 'content-length']);

function forwardable(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

const agent = new Agent({ keepAliveTimeout: 30_000 });
const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    agent
      .request({
        origin,
        path: req.url ?? '/',
        method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
        headers: forwardable(req.headers),
        body: chunks.length > 0 ? Buffer.concat(chunks) : null,
      })
      .then((response) => {
        res.writeHead(response.statusCode, forwardable(response.headers));
        response.body.pipe(res);
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

serveCommands(
  () => Promise.reject(new Error('the proxy takes no load commands')),
  async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await agent.close();
  },
);
announceReady(`http://127.0.0.1:${port}`);
