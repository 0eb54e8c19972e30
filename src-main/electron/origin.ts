/**
 * scheme://host[:port] of a URL, or null when it has no host (file:, data:,
 * about:, garbage). Not `URL.origin`: WHATWG gives every non-special scheme
 * such as `qcc:` the opaque origin "null", which would make all of them look
 * alike to a same-origin check.
 */
export function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.host ? `${parsed.protocol}//${parsed.host}`.toLowerCase() : null;
  } catch {
    return null;
  }
}
