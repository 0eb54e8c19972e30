import { useSyncExternalStore } from 'react';

/**
 * The history event a URL fragment points at: `#event=<event_id>`. A
 * notification click opens the dashboard there (a fragment-only change, so the
 * page is not reloaded). Other fragment parameters (`token=`) may sit alongside.
 */
export function eventIdFromHash(hash: string): string | null {
  const match = /(?:^|[#&])event=([^&]*)/.exec(hash);
  if (!match?.[1]) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/** The event id in the address bar's fragment, kept current across `hashchange`. */
export function useLinkedEventId(): string | null {
  return useSyncExternalStore(subscribe, () => eventIdFromHash(window.location.hash));
}
