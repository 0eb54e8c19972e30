// How API keys are stored at rest. The desktop app seals them with the OS
// keychain (Electron safeStorage); the daemon and the CLI run in plain Node and
// cannot, so the stored form says which kind it is.

/**
 * How well a codec protects what it seals: `os-encryption` (a key held by the
 * OS keychain), `obfuscated` (reversible by anyone who can read the file) or
 * `none` (stored as typed, protected only by the file's mode 0600).
 */
export type SecretProtection = 'os-encryption' | 'obfuscated' | 'none';

/**
 * Turns an API key into its stored form and back. `seal` of plaintext may
 * return it unchanged (a codec that cannot encrypt); `unseal` passes plaintext
 * through, so keys written by a process without the keychain keep working.
 * Both throw SecretCodecError, whose message never holds the key or the blob.
 */
export interface SecretCodec {
  readonly protection: SecretProtection;
  seal(plain: string): string;
  unseal(stored: string): string;
}

/** Marks a stored value as sealed; `v1` leaves room for another scheme later. */
export const SEALED_PREFIX = 'qcc-sealed:v1:';

/** Why a secret could not be sealed or unsealed; callers branch on `code`. */
export type SecretCodecErrorCode =
  /** Sealed by the desktop app; this process has no access to the OS keychain. */
  | 'sealed_elsewhere'
  /** The keychain is there but cannot open it (another machine or account, or a reset keychain). */
  | 'not_decryptable'
  /** Not a well-formed sealed value. */
  | 'malformed'
  /** The keychain refused to encrypt. */
  | 'encrypt_failed';

/**
 * A secret could not be sealed or unsealed. The message completes "the API key
 * …" for a user and never contains the key, the sealed value, or the
 * platform's own error text (which could echo input).
 */
export class SecretCodecError extends Error {
  constructor(
    readonly code: SecretCodecErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SecretCodecError';
  }
}

/** True for a value in sealed form (`qcc-sealed:v1:…`), whoever sealed it. */
export function isSealed(value: string): boolean {
  return value.startsWith(SEALED_PREFIX);
}

/** Wraps an encrypted blob as a stored string: printable, so it fits in JSON and passes a glance. */
export function wrapSealed(blob: Uint8Array): string {
  return `${SEALED_PREFIX}${Buffer.from(blob).toString('base64')}`;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The encrypted blob inside a sealed value; throws SecretCodecError('malformed') when it is not one. */
export function unwrapSealed(stored: string): Buffer {
  const body = stored.slice(SEALED_PREFIX.length);
  if (!isSealed(stored) || body.length % 4 !== 0 || !BASE64.test(body)) {
    throw new SecretCodecError('malformed', 'is marked as sealed but is not a valid sealed value');
  }
  return Buffer.from(body, 'base64');
}

/**
 * The codec of plain Node (the daemon and the CLI): keys are stored as typed
 * in the owner-only settings file. A key sealed by the desktop app cannot be
 * opened here, which unseal reports as SecretCodecError('sealed_elsewhere').
 */
export class PlainSecretCodec implements SecretCodec {
  readonly protection = 'none' as const;

  seal(plain: string): string {
    return plain;
  }

  unseal(stored: string): string {
    if (!isSealed(stored)) return stored;
    throw new SecretCodecError(
      'sealed_elsewhere',
      'was encrypted by the QCC desktop app with the OS keychain, which this process cannot use',
    );
  }
}
