import { randomBytes } from 'node:crypto';
import { MasterKeyring } from '@tessera/runtime';
import { ChallengeSeal } from './challenge-seal';

const newKey = () => randomBytes(32).toString('base64url');
const PAYLOAD = { i: '01a2-id', k: 'login', r: { clientId: 'app', scope: ['openid'] }, v: 'hash', e: 1_900_000_000 };

/** Flips one bit of the decoded value at `index` (negative: from the end). */
function flip(sealed: string, index: number): string {
  const bytes = Buffer.from(sealed, 'base64url');
  bytes[index < 0 ? bytes.length + index : index] ^= 0x01;
  return bytes.toString('base64url');
}

describe('ChallengeSeal', () => {
  const seal = new ChallengeSeal(new MasterKeyring(newKey()));

  it('opens what it sealed, as the same kind', () => {
    expect(seal.open('challenge', seal.seal('challenge', PAYLOAD))).toEqual(PAYLOAD);
    expect(seal.open('answer', seal.seal('answer', PAYLOAD))).toEqual(PAYLOAD);
  });

  it('is opaque base64url: no plaintext, and never the same value twice for one payload', () => {
    const a = seal.seal('challenge', PAYLOAD);
    const b = seal.seal('challenge', PAYLOAD);
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(Buffer.from(a, 'base64url').toString('latin1')).not.toContain('openid');
  });

  it('never opens a challenge as an answer, nor an answer as a challenge', () => {
    expect(seal.open('answer', seal.seal('challenge', PAYLOAD))).toBeUndefined();
    expect(seal.open('challenge', seal.seal('answer', PAYLOAD))).toBeUndefined();
  });

  it('opens in another process holding the same master key, which never saw the value', () => {
    const key = newKey();
    const sealed = new ChallengeSeal(new MasterKeyring(key)).seal('answer', PAYLOAD);
    expect(new ChallengeSeal(new MasterKeyring(key)).open('answer', sealed)).toEqual(PAYLOAD);
    expect(new ChallengeSeal(new MasterKeyring(key)).open('challenge', sealed)).toBeUndefined();
  });

  it('never uses an IV twice: a per-process random field, then a counter', () => {
    const ivs = Array.from({ length: 50 }, () => Buffer.from(seal.seal('challenge', PAYLOAD), 'base64url').subarray(11, 23).toString('hex'));
    expect(new Set(ivs).size).toBe(50);
    expect(new Set(ivs.map((iv) => iv.slice(0, 16))).size).toBe(1);
    const otherProcess = Buffer.from(new ChallengeSeal(new MasterKeyring(newKey())).seal('challenge', PAYLOAD), 'base64url').subarray(11, 19).toString('hex');
    expect(otherProcess).not.toBe(ivs[0].slice(0, 16));
  });

  it('refuses any altered byte: version, kind, key id, IV, ciphertext or tag', () => {
    const sealed = seal.seal('challenge', PAYLOAD);
    const length = Buffer.from(sealed, 'base64url').length;
    for (const index of [0, 1, 2, 10, 11, 22, 23, 30, length - 17, -16, -1]) {
      expect(seal.open('challenge', flip(sealed, index))).toBeUndefined();
    }
  });

  it('refuses a rewritten kind byte, even though the kind is not secret', () => {
    const bytes = Buffer.from(seal.seal('challenge', PAYLOAD), 'base64url');
    bytes[1] = 0x61; // 'a': the answer kind
    expect(seal.open('answer', bytes.toString('base64url'))).toBeUndefined();
  });

  it('refuses truncated, empty, non-base64url and non-string values without throwing', () => {
    const sealed = seal.seal('challenge', PAYLOAD);
    for (const value of [sealed.slice(0, -4), sealed.slice(0, 40), '', 'not a challenge!', `${sealed}=`, undefined, 42, { sealed }]) {
      expect(seal.open('challenge', value)).toBeUndefined();
    }
  });

  it('refuses what another master key sealed', () => {
    const other = new ChallengeSeal(new MasterKeyring(newKey()));
    expect(seal.open('challenge', other.seal('challenge', PAYLOAD))).toBeUndefined();
  });

  it('opens what a retired master key sealed, and what the key that is current elsewhere sealed, during a rotation', () => {
    const oldKey = newKey();
    const nextKey = newKey();
    const beforeRotation = new ChallengeSeal(new MasterKeyring(oldKey));
    const afterRotation = new ChallengeSeal(new MasterKeyring(nextKey, [oldKey]));
    // A replica already rotated and one with the next key announced as retired only.
    const announced = new ChallengeSeal(new MasterKeyring(oldKey, [nextKey]));
    expect(afterRotation.open('challenge', beforeRotation.seal('challenge', PAYLOAD))).toEqual(PAYLOAD);
    expect(announced.open('challenge', afterRotation.seal('challenge', PAYLOAD))).toEqual(PAYLOAD);
    expect(beforeRotation.open('challenge', afterRotation.seal('challenge', PAYLOAD))).toBeUndefined();
  });
});
