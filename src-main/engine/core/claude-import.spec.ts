import { describe, expect, it } from 'vitest';
import { Engine, type EngineDeps } from './engine.js';
import type { ClaudeCodeSettings } from './ports.js';
import { FakeClock, MemoryEventLog, MemorySettingsRepository, RecordingNotifier, SequentialIds } from './testing/fakes.js';

// claude:import: what Claude Code uses now becomes a config, through the same path as config:add.

const KEY = 'sk-ant-api03-from-claude-0123456789';

function engineWith(claudeCode?: ClaudeCodeSettings): Promise<Engine> {
  const deps: EngineDeps = { clock: new FakeClock(), ids: new SequentialIds(), settings: new MemorySettingsRepository(), events: new MemoryEventLog(), notifier: new RecordingNotifier() };
  return Engine.start(claudeCode ? { ...deps, claudeCode } : deps);
}

const found: ClaudeCodeSettings = {
  detect: () => Promise.resolve({ base_url: 'https://api.anthropic.com', api_key: KEY, auth_style: 'x-api-key', source: 'environment' }),
};

describe('claude:import', () => {
  it('adds what Claude Code uses as a config named claude-code (or as asked), saying where it came from', async () => {
    const engine = await engineWith(found);
    const result = await engine.invoke('claude:import', {});
    expect(result).toMatchObject({ source: 'environment', config: { name: 'claude-code', description: 'imported from environment', endpoints: [{ base_url: 'https://api.anthropic.com' }] } });
    expect(JSON.stringify(result)).not.toContain(KEY);
    expect(engine.plan().candidates.map((c) => c.endpoint.api_key)).toEqual([KEY]);
    expect((await engine.invoke('claude:import', { name: 'work' })).config.name).toBe('work');
  });

  it('refuses, saying what it looked for, when Claude Code has no API key set up', async () => {
    const engine = await engineWith({ detect: () => Promise.resolve(null) });
    await expect(engine.invoke('claude:import', {})).rejects.toMatchObject({ code: 'failed_precondition', message: expect.stringContaining('ANTHROPIC_API_KEY') });
    expect(engine.snapshot().tiers.flatMap((t) => t.configs)).toEqual([]);
  });

  it('refuses in a host that cannot read Claude Code settings, and validates the name', async () => {
    await expect((await engineWith()).invoke('claude:import', {})).rejects.toMatchObject({ code: 'failed_precondition' });
    await expect((await engineWith(found)).dispatch('claude:import', { name: 'has space' })).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});
