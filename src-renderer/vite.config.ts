import react from '@vitejs/plugin-react';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { fileURLToPath } from 'node:url';
import { defineConfig, type ProxyOptions } from 'vite';

/**
 * The Origin the admin server should see for a dashboard request that came
 * through the dev server: the page's own origin is traded for the admin
 * server's (it only trusts itself); any other origin is passed on unchanged,
 * so the admin server still refuses cross-site pages.
 */
export function originForAdmin(origin: string | undefined, host: string | undefined, adminUrl: string): string | undefined {
  if (origin === undefined || host === undefined) return origin;
  return origin.toLowerCase() === `http://${host.toLowerCase()}` ? new URL(adminUrl).origin : origin;
}

/** `/api` of the dev server forwarded to a running admin server (`npm run dev` without Electron). */
function adminProxy(adminUrl: string): Record<string, ProxyOptions> {
  return {
    '/api': {
      target: adminUrl,
      // The admin server checks Host against its own address (DNS rebinding).
      changeOrigin: true,
      configure: (proxy) => {
        proxy.on('proxyReq', (proxyReq: ClientRequest, req: IncomingMessage) => {
          const origin = originForAdmin(req.headers.origin, req.headers.host, adminUrl);
          if (origin !== undefined) proxyReq.setHeader('origin', origin);
        });
      },
    },
  };
}

const adminUrl = process.env.QCC_ADMIN_URL;

// The dashboard: built to dist/renderer, which the daemon's admin server and
// the Electron window serve. Relative base so it works from any origin.
// `npm run dev` serves it with hot reload on 127.0.0.1 (QCC_VITE_PORT, default 5173).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    host: '127.0.0.1',
    port: Number(process.env.QCC_VITE_PORT ?? 5173),
    // The printed link carries the port; silently moving to another one would break it.
    strictPort: true,
    // Same-origin only: no other local page may read the dashboard's API through the dev server.
    cors: false,
    proxy: adminUrl ? adminProxy(adminUrl) : undefined,
  },
});
