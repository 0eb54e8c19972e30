// API keys at rest in the desktop app: sealed with Electron's safeStorage,
// which holds its key in the OS keychain (Keychain, DPAPI, libsecret/KWallet).
import type { SafeStorage } from 'electron';
import {
  SecretCodecError,
  isSealed,
  unwrapSealed,
  wrapSealed,
  type SecretCodec,
  type SecretProtection,
} from '../engine/node/secret-codec.js';

/** The part of Electron's safeStorage the codec uses (the sync API: the SecretCodec port is synchronous). */
export type SafeStorageApi = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'>;

export interface SafeStorageCodecOptions {
  /** Default process.platform; getSelectedStorageBackend exists on Linux only. */
  platform?: NodeJS.Platform;
}

/** What safeStorage offers right now. Only valid after Electron's `ready`: before it, nothing is available. */
function protectionOf(safeStorage: SafeStorageApi, platform: NodeJS.Platform): SecretProtection {
  if (!safeStorage.isEncryptionAvailable()) return 'none';
  // With no keyring on Linux, Chromium "encrypts" with a key built into it: obfuscation, not protection.
  if (platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return 'obfuscated';
  return 'os-encryption';
}

/**
 * A SecretCodec over Electron's safeStorage. Seals when encryption is
 * available (`os-encryption`, or `obfuscated` with Linux's basic_text
 * backend) and stores keys as typed when it is not (`none`; the file stays
 * mode 0600 and describeSecretProtection warns). Unseal passes plaintext
 * through, so keys added by the CLI keep working until they are sealed.
 */
export class SafeStorageSecretCodec implements SecretCodec {
  private readonly platform: NodeJS.Platform;

  constructor(
    private readonly safeStorage: SafeStorageApi,
    options: SafeStorageCodecOptions = {},
  ) {
    this.platform = options.platform ?? process.platform;
  }

  get protection(): SecretProtection {
    return protectionOf(this.safeStorage, this.platform);
  }

  seal(plain: string): string {
    if (this.protection === 'none') return plain;
    let blob: Buffer;
    try {
      blob = this.safeStorage.encryptString(plain);
    } catch {
      // Electron's message is dropped: nothing from the platform reaches a user-facing string.
      throw new SecretCodecError('encrypt_failed', 'could not be encrypted with the OS keychain');
    }
    return wrapSealed(blob);
  }

  unseal(stored: string): string {
    if (!isSealed(stored)) return stored;
    const blob = unwrapSealed(stored);
    if (!this.safeStorage.isEncryptionAvailable()) {
      throw new SecretCodecError('not_decryptable', 'was encrypted with the OS keychain, which is not available now');
    }
    try {
      return this.safeStorage.decryptString(blob);
    } catch {
      throw new SecretCodecError(
        'not_decryptable',
        "could not be decrypted with this user's OS keychain (it was encrypted on another computer or account, or the keychain was reset)",
      );
    }
  }
}

export interface SecretProtectionInput {
  safeStorage: SafeStorageApi;
  platform: NodeJS.Platform;
  /** Named in the warning, so the user knows which file holds the keys. */
  settingsFile: string;
}

/** How API keys are protected, and what to tell the user when they are not encrypted. */
export interface SecretProtectionReport {
  protection: SecretProtection;
  /** A sentence or two for the user; null when keys are encrypted by the OS keychain. */
  warning: string | null;
}

/** Describes the protection safeStorage gives API keys, with a clear warning when it is not encryption. */
export function describeSecretProtection(input: SecretProtectionInput): SecretProtectionReport {
  const protection = protectionOf(input.safeStorage, input.platform);
  if (protection === 'os-encryption') return { protection, warning: null };
  const access =
    input.platform === 'win32' ? "protected only by the file's permissions" : 'readable only by your user (mode 0600)';
  const remedy =
    input.platform === 'linux' ? ' Install and unlock a keyring (GNOME Keyring or KWallet), then restart QCC to encrypt them.' : '';
  if (protection === 'obfuscated') {
    return {
      protection,
      warning:
        `No OS keychain is available: API keys in ${input.settingsFile} are only obfuscated, not encrypted, ` +
        `so anyone who can read the file can recover them. The file is ${access}.${remedy}`,
    };
  }
  return {
    protection,
    warning: `No OS keychain is available: API keys are stored unencrypted in ${input.settingsFile}, ${access}.${remedy}`,
  };
}
