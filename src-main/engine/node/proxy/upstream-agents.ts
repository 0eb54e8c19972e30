import { Agent } from 'undici';
import type { FailoverPolicy } from '../../../../src-shared/model/policy.js';

/**
 * Keep-alive connection pools, one per upstream origin (undici's Agent keeps a
 * Pool per origin). The connect timeout is fixed per Agent, so a policy change
 * swaps in a fresh Agent and lets the old one drain.
 */
export class UpstreamAgents {
  private agent: Agent | null = null;
  private connectTimeoutMs = -1;

  for(policy: FailoverPolicy): Agent {
    if (this.agent === null || policy.connect_timeout_ms !== this.connectTimeoutMs) {
      const previous = this.agent;
      this.connectTimeoutMs = policy.connect_timeout_ms;
      this.agent = new Agent({
        connect: { timeout: policy.connect_timeout_ms },
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 600_000,
      });
      void previous?.close().catch(() => undefined);
    }
    return this.agent;
  }

  async close(): Promise<void> {
    const agent = this.agent;
    this.agent = null;
    await agent?.destroy().catch(() => undefined);
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
