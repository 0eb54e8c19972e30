/** Stable error codes that cross the IPC / RPC boundary; callers branch on these, not on messages. */
export const ERROR_CODES = [
  'invalid_argument',
  'not_found',
  'already_exists',
  'failed_precondition',
  'unknown_command',
  'unauthorized',
  'storage_failed',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The wire shape of an error: only plain data survives Electron's and JSON's serialization. */
export interface EngineErrorData {
  code: ErrorCode;
  message: string;
}

/** An error with a stable code and a message a user can act on. Never carries a secret. */
export class EngineError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }

  toData(): EngineErrorData {
    return { code: this.code, message: this.message };
  }

  static fromData(data: EngineErrorData): EngineError {
    return new EngineError(data.code, data.message);
  }
}

export function isEngineErrorData(value: unknown): value is EngineErrorData {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as EngineErrorData).code === 'string' &&
    (ERROR_CODES as readonly string[]).includes((value as EngineErrorData).code) &&
    typeof (value as EngineErrorData).message === 'string'
  );
}
