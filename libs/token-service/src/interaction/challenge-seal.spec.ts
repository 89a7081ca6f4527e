import { randomBytes } from 'node:crypto';
import { ChallengeSeal, TooLargeToSeal } from './challenge-seal';

const newKey = () => randomBytes(32);
const MAX = 7_680;
/** What a consent challenge holds, as ChallengesService makes it. */
const PAYLOAD = {
  i: '01a226ec107d06d1X3W-35wp0dbLJXvdq',
  k: 'consent',
  r: {
    clientId: 'f8201ffd-a3b8-4c38-913a-83392db52066',
    redirectUriSent: true,
    redirectUri: 'https://app.example.com/callback',
    responseMode: 'query',
    responseType: 'code',
    scope: ['openid', 'orders:read'],
    codeChallenge: 'fbjNfddwxaOKjhQW19nZmxApyoH86Ho8YwYOlvaSV1I',
    codeChallengeMethod: 'S256',
    resource: [],
    prompt: [],
    state: 'état ✓',
    claims: { id_token: { email: { essential: true } } },
  },
  l: { sub: 'ada', loginSessionId: 'ls-1', acr: 'urn:tessera:acr:pwd', amr: ['pwd'], authTime: 1_795_949_334, remember: true, sid: '01a226ec10e0' },
  v: 'qrgWcCH-uxDj-3-JaiRokYwGbvE-N-sH0gUgaaD5qsI',
  t: 1_795_949_334,
  e: 1_795_949_934,
};

/** Flips one bit of the decoded value at `index` (negative: from the end). */
function flip(sealed: string, index: number): string {
  const bytes = Buffer.from(sealed, 'base64url');
  bytes[index < 0 ? bytes.length + index : index] ^= 0x01;
  return bytes.toString('base64url');
}

describe('ChallengeSeal', () => {
  const key = newKey();
  const seal = new ChallengeSeal(key);
  /** Another process holding the same key: it never saw the values, so it decrypts them. */
  const replica = () => new ChallengeSeal(key);

  it('opens what it sealed, as the same kind, in this process and in another holding the same key', () => {
    for (const kind of ['challenge', 'answer'] as const) {
      const sealed = seal.seal(kind, PAYLOAD, MAX);
      expect(seal.open(kind, sealed)).toEqual(PAYLOAD);
      expect(replica().open(kind, sealed)).toEqual(PAYLOAD);
    }
  });

  it('is opaque base64url: no plaintext, and never the same value twice for one payload', () => {
    const a = seal.seal('challenge', PAYLOAD, MAX);
    const b = seal.seal('challenge', PAYLOAD, MAX);
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(Buffer.from(a, 'base64url').toString('latin1')).not.toContain('orders:read');
  });

  it('never opens a challenge as an answer, nor an answer as a challenge, cached or not', () => {
    const challenge = seal.seal('challenge', PAYLOAD, MAX);
    const answer = seal.seal('answer', PAYLOAD, MAX);
    expect(seal.open('answer', challenge)).toBeUndefined();
    expect(seal.open('challenge', answer)).toBeUndefined();
    expect(replica().open('answer', challenge)).toBeUndefined();
    expect(replica().open('challenge', answer)).toBeUndefined();
  });

  it('refuses a rewritten kind byte: the kind is authenticated, not only compared', () => {
    const bytes = Buffer.from(seal.seal('challenge', PAYLOAD, MAX), 'base64url');
    bytes[1] = 0x61; // 'a': the answer kind
    expect(replica().open('answer', bytes.toString('base64url'))).toBeUndefined();
  });

  it('never uses an IV twice: a per-process random field, then a counter', () => {
    const ivOf = (value: string) => Buffer.from(value, 'base64url').subarray(2, 14).toString('hex');
    const ivs = Array.from({ length: 50 }, () => ivOf(seal.seal('challenge', PAYLOAD, MAX)));
    expect(new Set(ivs).size).toBe(50);
    expect(new Set(ivs.map((iv) => iv.slice(0, 16))).size).toBe(1);
    expect(ivOf(new ChallengeSeal(key).seal('challenge', PAYLOAD, MAX)).slice(0, 16)).not.toBe(ivs[0].slice(0, 16));
  });

  it('refuses any altered byte: version, kind, IV, ciphertext or tag', () => {
    const sealed = seal.seal('challenge', PAYLOAD, MAX);
    const length = Buffer.from(sealed, 'base64url').length;
    for (const index of [0, 1, 2, 13, 14, 40, length - 17, -16, -1]) {
      expect(replica().open('challenge', flip(sealed, index))).toBeUndefined();
    }
  });

  it('refuses truncated, padded, non-canonical, non-base64url and non-string values without throwing', () => {
    const sealed = seal.seal('challenge', PAYLOAD, MAX);
    const last = sealed.at(-1) as string;
    // Another last character: the same bytes when the length leaves it spare bits, other bytes
    // otherwise; and one character more, which base64url decoding would ignore.
    const variant = sealed.slice(0, -1) + (last === 'A' ? 'B' : String.fromCharCode(last.charCodeAt(0) ^ 1));
    for (const value of [sealed.slice(0, -4), sealed.slice(0, 20), '', 'not a challenge!', `${sealed}=`, `${sealed}A`, variant, undefined, 42, { sealed }]) {
      expect(replica().open('challenge', value)).toBeUndefined();
    }
  });

  it('refuses what another key sealed', () => {
    expect(seal.open('challenge', new ChallengeSeal(newKey()).seal('challenge', PAYLOAD, MAX))).toBeUndefined();
  });

  it('refuses to seal past the limit, before encrypting anything, and caches nothing then', () => {
    const big = { ...PAYLOAD, r: { ...PAYLOAD.r, state: 's'.repeat(MAX) } };
    const cached = () => (seal as unknown as { cachedCharacters: number }).cachedCharacters;
    const before = cached();
    expect(() => seal.seal('challenge', big, MAX)).toThrow(TooLargeToSeal);
    expect(cached()).toBe(before);
    const fits = seal.seal('challenge', PAYLOAD, MAX);
    expect(() => seal.seal('challenge', PAYLOAD, fits.length - 1)).toThrow(TooLargeToSeal);
    expect(seal.seal('challenge', PAYLOAD, fits.length)).toHaveLength(fits.length);
  });

  it('hands out copies of what it sealed: changing the caller\'s object later changes nothing', () => {
    const mine = structuredClone(PAYLOAD);
    const sealed = seal.seal('answer', mine, MAX);
    mine.r.scope.push('admin');
    expect(seal.open<typeof PAYLOAD>('answer', sealed)?.r.scope).toEqual(['openid', 'orders:read']);
  });

  it('keeps its cache within its budget, and still opens what fell out of it', () => {
    const own = new ChallengeSeal(key);
    const first = own.seal('challenge', PAYLOAD, MAX);
    const filler = { ...PAYLOAD, r: { ...PAYLOAD.r, state: 'f'.repeat(5_000) } };
    // About 7 KB each: 700 of them are past a 4 MB budget.
    for (let i = 0; i < 700; i++) own.seal('challenge', filler, 8_000);
    const cache = (own as unknown as { cache: Map<string, unknown>; cachedCharacters: number });
    expect(cache.cachedCharacters).toBeLessThanOrEqual(4_000_000);
    expect(cache.cache.has(first)).toBe(false);
    expect(own.open('challenge', first)).toEqual(PAYLOAD);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => new ChallengeSeal(randomBytes(16))).toThrow('32 bytes');
  });
});
