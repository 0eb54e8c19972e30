import { randomBytes } from 'node:crypto';
import type { IdSource } from '../core/ports.js';

/** Short random ids (`ep-1a2b3c4d`): 32 bits is plenty within one data directory, and stays readable in the CLI. */
export class RandomIds implements IdSource {
  next(prefix: string): string {
    return `${prefix}-${randomBytes(4).toString('hex')}`;
  }
}
