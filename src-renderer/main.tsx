import './zod-setup.js';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { EngineProvider } from './client/engine-context.js';
import { EngineStore } from './client/engine-store.js';
import { HttpEngineClient, takeTokenFromLocation } from './client/http-engine-client.js';
import './styles.css';

// In a browser the dashboard talks to the daemon that served it. (In Electron,
// the preload provides an IPC client instead.)
const token = takeTokenFromLocation(window.location, window.sessionStorage, window.history);
const root = createRoot(document.getElementById('root') as HTMLElement);

if (!token) {
  root.render(
    <main className="no-token">
      <h1>QCC</h1>
      <p>
        Open the dashboard from the link <code>qcc proxy start</code> or <code>qcc proxy status</code> prints; it carries the access
        token.
      </p>
    </main>,
  );
} else {
  const client = new HttpEngineClient(window.location.origin, token);
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
