// The window's content comes from `qcc://app/`, a privileged scheme served
// from the bundled dashboard, not from file:// (where every local file would
// be same-origin) and never from the network.
import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import { contentTypeFor, resolveInside } from '../engine/node/static-files.js';

export const APP_SCHEME = 'qcc';
export const APP_ORIGIN = `${APP_SCHEME}://app`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * The dashboard's Content-Security-Policy inside the app: its own scripts and
 * styles only (React sets inline style attributes through the CSSOM, which the
 * policy allows), no plugins, no framing, no form posts; it talks to the
 * engine through the preload, not the network.
 */
export const RENDERER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Must run before the app is ready: gives the scheme the standard, secure origin semantics of https. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true } }]);
}

/** Serves `rendererDir` at `qcc://app/`; call once the app is ready. */
export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => appResponse(rendererDir, request.url));
}

/** The file under `rendererDir` that `url` names, or null for other hosts and any path leaving the folder. */
export function resolveAppFile(rendererDir: string, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== 'app') return null;
  return resolveInside(rendererDir, parsed.pathname === '/' ? '/index.html' : parsed.pathname);
}

/** The response for one request to the app's scheme: the file with its type and the CSP, or a 404. */
export async function appResponse(rendererDir: string, url: string): Promise<Response> {
  const file = resolveAppFile(rendererDir, url);
  if (file === null) return notFound();
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    return notFound();
  }
  return new Response(new Uint8Array(body), {
    status: 200,
    headers: {
      'content-type': contentTypeFor(file),
      'content-security-policy': RENDERER_CSP,
      'x-content-type-options': 'nosniff',
    },
  });
}

function notFound(): Response {
  return new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}
