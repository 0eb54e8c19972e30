import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, COMMANDS, isCommandName } from './commands.js';
import { EngineError, isEngineErrorData } from './errors.js';

describe('engine contract', () => {
  it('names every command domain:verb', () => {
    for (const name of COMMAND_NAMES) expect(name).toMatch(/^[a-z]+:[a-z-]+$/);
  });

  it('validates payloads and names the bad field', () => {
    const result = COMMANDS['config:add'].args.safeParse({ name: 'ok', endpoints: [{ base_url: 'ftp://x', api_key: 'k' }] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['endpoints', 0, 'base_url']);
  });

  it('rejects unknown fields rather than ignoring them', () => {
    expect(COMMANDS['failover:switch'].args.safeParse({ name: 'a', resaon: 'typo' }).success).toBe(false);
    expect(COMMANDS['policy:update'].args.safeParse({ failure_treshold: 3 }).success).toBe(false);
  });

  it('recognises only declared command names', () => {
    expect(isCommandName('state:get')).toBe(true);
    expect(isCommandName('toString')).toBe(false);
    expect(isCommandName('__proto__')).toBe(false);
  });

  it('errors cross the boundary as {code, message}', () => {
    const data = new EngineError('not_found', 'no config named "x"').toData();
    expect(data).toEqual({ code: 'not_found', message: 'no config named "x"' });
    expect(isEngineErrorData(JSON.parse(JSON.stringify(data)))).toBe(true);
    expect(isEngineErrorData({ code: 'made_up', message: 'x' })).toBe(false);
    expect(EngineError.fromData(data)).toBeInstanceOf(EngineError);
  });
});
