// Compile-time tests of the contract, checked by `tsc -b` in `npm test`:
// each `@ts-expect-error` must see an error, or the build fails.
import type { CommandArgs, CommandHandlers, CommandResult } from './commands.js';
import type { EngineSnapshot } from './snapshot.js';

declare const complete: CommandHandlers;

// A handler table that misses a command does not compile.
const { 'history:query': _dropped, ...missingOne } = complete;
// @ts-expect-error 'history:query' is missing
export const incomplete: CommandHandlers = missingOne;

// A handler with the wrong result type does not compile.
export const wrongResult: CommandHandlers = {
  ...complete,
  // @ts-expect-error state:get must resolve to an EngineSnapshot
  'state:get': async () => ({ revision: 'one' }),
};

// A handler for a command that does not exist does not compile.
export const extra: CommandHandlers = {
  ...complete,
  // @ts-expect-error no such command
  'config:explode': async () => undefined,
};

// Arguments are checked against the schema's input type.
// @ts-expect-error tier must be one of the four tiers
export const badMove: CommandArgs<'priority:move'> = { name: 'a', tier: 'tertiary' };
export const goodMove: CommandArgs<'priority:move'> = { name: 'a', tier: 'secondary', index: 0 };

// Results carry the declared type.
export const snapshotIsTyped: (result: CommandResult<'state:get'>) => EngineSnapshot = (result) => result;
