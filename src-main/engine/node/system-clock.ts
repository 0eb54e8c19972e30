import type { Clock } from '../core/ports.js';

/** The real clock: the only place outside tests where the engine reads wall time. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
}
