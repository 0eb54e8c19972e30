import './zod-setup.js';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { EngineProvider } from './client/engine-context.js';
import { EngineStore, type ConnectableClient } from './client/engine-store.js';
import { HttpEngineClient, takeTokenFromLocation } from './client/http-engine-client.js';
import { bridgeFrom, IpcEngineClient } from './client/ipc-engine-client.js';
import './styles.css';

const root = createRoot(document.getElementById('root') as HTMLElement);

function render(client: ConnectableClient & { start(): void }): void {
  const store = new EngineStore(client);
  store.start();
  client.start();
  root.render(
    <StrictMode>
      <EngineProvider client={client} store={store}>
        <App />
      </EngineProvider>
    </StrictMode>,
  );
}

// In Electron the preload exposes `window.qcc` and the engine is in-process: no
// token. In a browser the dashboard talks to the daemon that served it.
const bridge = bridgeFrom(window);
if (bridge) {
  render(new IpcEngineClient(bridge));
} else {
  const token = takeTokenFromLocation(window.location, window.sessionStorage, window.history);
  if (token) {
    render(new HttpEngineClient(window.location.origin, token));
  } else {
    root.render(
      <main className="no-token">
        <h1>QCC</h1>
        <p>
          Open the dashboard from the link <code>qcc proxy start</code> or <code>qcc proxy status</code> prints; it carries the access
          token.
        </p>
      </main>,
    );
  }
}
