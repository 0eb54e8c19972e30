import { describe, expect, it } from 'vitest';
import { PlainSecretCodec, SEALED_PREFIX, SecretCodecError, isSealed, unwrapSealed, wrapSealed } from './secret-codec.js';
import { thrown } from './testing/thrown.js';

const KEY = 'sk-ant-api03-plain-secret-0042';

describe('sealed values', () => {
  it('wrap an encrypted blob behind a recognisable prefix, and unwrap to the same bytes', () => {
    const blob = Uint8Array.from([0, 1, 2, 250, 251, 252, 253, 254, 255]);
    const sealed = wrapSealed(blob);
    expect(sealed.startsWith(SEALED_PREFIX)).toBe(true);
    expect(sealed).toMatch(/^[\x21-\x7e]+$/); // printable: survives JSON and a glance
    expect(isSealed(sealed)).toBe(true);
    expect([...unwrapSealed(sealed)]).toEqual([...blob]);
  });

  it('tell plaintext keys apart', () => {
    expect(isSealed(KEY)).toBe(false);
    expect(isSealed('qcc-sealed:v2:abcd')).toBe(false);
  });

  it('reject a malformed body with a typed error that does not quote it', () => {
    const bad = `${SEALED_PREFIX}not*base64!`;
    const error = thrown(() => unwrapSealed(bad));
    expect(error).toBeInstanceOf(SecretCodecError);
    expect(error).toMatchObject({ code: 'malformed' });
    expect((error as Error).message).not.toContain('not*base64');
  });
});

describe('PlainSecretCodec', () => {
  const codec = new PlainSecretCodec();

  it('stores keys as typed and reads plaintext back unchanged', () => {
    expect(codec.protection).toBe('none');
    expect(codec.seal(KEY)).toBe(KEY);
    expect(codec.unseal(KEY)).toBe(KEY);
  });

  it('cannot open a key sealed by the desktop app, and says so without the blob', () => {
    const sealed = wrapSealed(Buffer.from('some ciphertext bytes'));
    const error = thrown(() => codec.unseal(sealed));
    expect(error).toBeInstanceOf(SecretCodecError);
    expect(error).toMatchObject({ code: 'sealed_elsewhere' });
    expect((error as Error).message).toContain('desktop app');
    expect((error as Error).message).not.toContain(sealed.slice(SEALED_PREFIX.length));
  });
});
