import type { FailoverPolicy } from '../../../../src-shared/model/policy.js';
import type { ConnectionOptions } from 'node:tls';
import { UpstreamClient } from './upstream/upstream-client.js';

/**
 * The upstream client for the current policy. The connect timeout is fixed
 * per client, so a policy change swaps in a fresh client; the old one lets
 * its requests in flight finish and closes its connections.
 */
export class UpstreamClients {
  private client: UpstreamClient | null = null;
  private connectTimeoutMs = -1;

  constructor(private readonly tls?: ConnectionOptions) {}

  for(policy: FailoverPolicy): UpstreamClient {
    if (this.client === null || policy.connect_timeout_ms !== this.connectTimeoutMs) {
      this.client?.close();
      this.connectTimeoutMs = policy.connect_timeout_ms;
      this.client = new UpstreamClient({ connectTimeoutMs: policy.connect_timeout_ms, idleTimeoutMs: 30_000, tls: this.tls });
    }
    return this.client;
  }

  close(): void {
    this.client?.close();
    this.client = null;
  }
}

/** Where one request goes: the endpoint's origin, and its path prefix joined with the request path + query. */
export interface UpstreamTarget {
  origin: string;
  path: string;
}

/** Parses each base URL once; the hot path only joins strings. */
export class UpstreamTargets {
  private readonly cache = new Map<string, { origin: string; prefix: string }>();

  resolve(baseUrl: string, requestUrl: string): UpstreamTarget {
    let base = this.cache.get(baseUrl);
    if (!base) {
      const url = new URL(baseUrl);
      base = { origin: url.origin, prefix: url.pathname.replace(/\/+$/, '') };
      if (this.cache.size > 1_000) this.cache.clear();
      this.cache.set(baseUrl, base);
    }
    const path = requestUrl.startsWith('/') ? requestUrl : `/${requestUrl}`;
    return { origin: base.origin, path: base.prefix + path };
  }
}
