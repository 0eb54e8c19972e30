import type { AddressInfo, Server } from 'node:net';
import type { Readable } from 'node:stream';

/** Listens on `port` (0 picks a free one); rejects with the listen error (EADDRINUSE, EACCES). */
export async function listenOn(server: Server, port: number, host: string): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}

/**
 * Up to `max` bytes of a response body; the rest is dropped with the
 * connection. A body cut short still yields what arrived.
 */
export async function readCapped(body: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= max) break; // leaving the loop destroys the stream
    }
  } catch {
    // Keep what arrived.
  }
  if (!body.destroyed) body.destroy();
  return Buffer.concat(chunks).subarray(0, max);
}
