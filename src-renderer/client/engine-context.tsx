import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { EngineClient } from '../../src-shared/contract/events.js';
import type { EngineStore, EngineView } from './engine-store.js';

interface EngineContextValue {
  client: EngineClient;
  store: EngineStore;
}

const EngineContext = createContext<EngineContextValue | null>(null);

/** Gives the tree an EngineClient (HTTP in a browser, IPC in Electron) and its store. */
export function EngineProvider({ client, store, children }: EngineContextValue & { children: ReactNode }) {
  return <EngineContext.Provider value={{ client, store }}>{children}</EngineContext.Provider>;
}

/** The client, for commands. */
export function useEngineClient(): EngineClient {
  const value = useContext(EngineContext);
  if (!value) throw new Error('useEngineClient outside EngineProvider');
  return value.client;
}

/** The live view: snapshot, connection and history; re-renders on change. */
export function useEngineView(): EngineView {
  const value = useContext(EngineContext);
  if (!value) throw new Error('useEngineView outside EngineProvider');
  return useSyncExternalStore(value.store.subscribe, value.store.getView);
}
