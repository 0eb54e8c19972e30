export * from './tier.js';
export * from './policy.js';
export * from './config.js';
export * from './event.js';
export * from './health.js';
export * from './settings.js';
export * from './validation.js';
