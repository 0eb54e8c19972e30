import { act, cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineProvider } from '../client/engine-context.js';
import { EngineStore } from '../client/engine-store.js';
import { FakeEngineClient } from '../testing/fake-engine-client.js';
import { engineSnapshot } from '../testing/snapshot-builders.js';
import { ProblemsBanner } from './ProblemsBanner.js';

function setup(problems: string[]) {
  const client = new FakeEngineClient();
  const store = new EngineStore(client);
  store.start();
  act(() => {
    client.connect();
    client.emit('state:changed', engineSnapshot([], { problems, revision: 1 }));
  });
  render(
    <EngineProvider client={client} store={store}>
      <ProblemsBanner />
    </EngineProvider>,
  );
  return { client };
}

afterEach(() => cleanup());

describe('ProblemsBanner', () => {
  it('lists what the engine reports, each as given', () => {
    setup(['settings.json is not valid JSON (line 3, column 1); moved aside to settings.json.corrupt-1', 'API keys are not encrypted: install a keyring']);
    const region = screen.getByRole('region', { name: 'Problems' });
    expect(within(region).getByText('QCC found 2 problems')).toBeTruthy();
    expect(within(region).getAllByRole('listitem').map((item) => item.textContent)).toEqual([
      'settings.json is not valid JSON (line 3, column 1); moved aside to settings.json.corrupt-1',
      'API keys are not encrypted: install a keyring',
    ]);
  });

  it('shows nothing when all is well, and appears when a problem is reported later', () => {
    const { client } = setup([]);
    expect(screen.queryByRole('region', { name: 'Problems' })).toBeNull();
    act(() => client.emit('state:changed', engineSnapshot([], { problems: ['could not save state: EACCES'], revision: 2 })));
    expect(within(screen.getByRole('region', { name: 'Problems' })).getByText('QCC found a problem')).toBeTruthy();
  });
});
