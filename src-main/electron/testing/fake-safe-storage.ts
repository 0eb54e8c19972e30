// A stand-in for Electron's safeStorage, which needs the Electron binary.
// Reversible like the real one, bound to a "keychain" so a changed keychain
// fails to decrypt, with availability and the Linux backend switchable.
import type { SafeStorageApi } from '../safe-storage-codec.js';

type Backend = ReturnType<SafeStorageApi['getSelectedStorageBackend']>;

/** A fake safeStorage: flip `available`, `backend` or `keychain` to model another machine state. */
export class FakeSafeStorage implements SafeStorageApi {
  /** isEncryptionAvailable(); false models "before ready" or no keychain at all. */
  available: boolean;
  /** What getSelectedStorageBackend() reports (Linux). */
  backend: Backend;
  /** The keychain's secret: blobs sealed under one do not decrypt under another. */
  keychain: string;
  /** How many times encryptString / decryptString were called. */
  encryptCalls = 0;
  decryptCalls = 0;

  constructor(options: { available?: boolean; backend?: Backend; keychain?: string } = {}) {
    this.available = options.available ?? true;
    this.backend = options.backend ?? 'gnome_libsecret';
    this.keychain = options.keychain ?? 'login-keychain';
  }

  isEncryptionAvailable(): boolean {
    return this.available;
  }

  getSelectedStorageBackend(): Backend {
    return this.backend;
  }

  encryptString(plainText: string): Buffer {
    this.encryptCalls++;
    if (!this.available) {
      throw new Error('Error while encrypting the text provided to safeStorage.encryptString. Encryption is not available.');
    }
    return Buffer.concat([this.header(), this.mask(Buffer.from(plainText, 'utf8'))]);
  }

  decryptString(encrypted: Buffer): string {
    this.decryptCalls++;
    const header = this.header();
    if (!this.available || encrypted.length < header.length || !encrypted.subarray(0, header.length).equals(header)) {
      throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    }
    return this.mask(encrypted.subarray(header.length)).toString('utf8');
  }

  private header(): Buffer {
    return Buffer.from(`fake-${this.keychain}:`, 'utf8');
  }

  /** XOR with a keychain-derived byte stream: no plaintext byte survives, and applying it twice restores the input. */
  private mask(bytes: Buffer): Buffer {
    const out = Buffer.alloc(bytes.length);
    for (let i = 0; i < bytes.length; i++) {
      const m = (0x5a + i * 31 + (this.keychain.charCodeAt(i % this.keychain.length) || 0)) & 0xff;
      out[i] = (bytes[i] as number) ^ (m === 0 ? 0xa5 : m);
    }
    return out;
  }
}
