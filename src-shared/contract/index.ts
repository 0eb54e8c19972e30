export * from './commands.js';
export * from './errors.js';
export * from './events.js';
export * from './snapshot.js';
