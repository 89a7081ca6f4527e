import { loadCommonPasswords, PasswordPolicy } from './password-policy';
import { PasswordHasher } from './password-hasher';

describe('PasswordPolicy (NIST SP 800-63B)', () => {
  const policy = new PasswordPolicy();

  it('ships 10,000 common passwords, each refused whatever its case', () => {
    const list = loadCommonPasswords();
    expect(list).toHaveLength(10_000);
    for (const common of [list[0], list[4999], list[9999]] as string[]) {
      expect(policy.problem(common)).toMatch(/most commonly used/);
      expect(policy.problem(common.toUpperCase())).toMatch(/most commonly used/);
    }
  });

  it('asks for 8 to 128 characters, counted as characters rather than bytes, with no composition rules', () => {
    expect(policy.problem('abcdefg')).toMatch(/at least 8/);
    expect(policy.problem('grüß dich wölfe')).toBeUndefined();
    expect(policy.problem('🦊🦊🦊🦊🦊🦊🦊🦊')).toBeUndefined(); // 8 characters, 32 bytes
    expect(policy.problem('x'.repeat(64))).toBeUndefined();
    expect(policy.problem('x'.repeat(129))).toMatch(/at most 128/);
    expect(policy.problem('all lower case words')).toBeUndefined();
  });

  it('refuses the account name as the password, and non-strings', () => {
    expect(policy.problem('ada.lovelace', { email: 'ada.lovelace@example.com' })).toMatch(/email/);
    expect(policy.problem(12345678)).toMatch(/string/);
    expect(() => policy.check('short')).toThrow(expect.objectContaining({ code: 'weak_password' }));
  });
});

describe('PasswordHasher', () => {
  it('hashes with argon2id and the OWASP parameters, and knows when a stored hash needs upgrading', async () => {
    const cheap = new PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });
    const phc = await cheap.hash('a fine passphrase');
    expect(phc).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    expect(await cheap.verify(phc, 'a fine passphrase')).toBe(true);
    expect(await cheap.verify(phc, 'another')).toBe(false);
    expect(await cheap.verify('not a hash', 'x')).toBe(false);
    expect(cheap.needsRehash(phc)).toBe(false);
    expect(new PasswordHasher().needsRehash(phc)).toBe(true);
    expect(new PasswordHasher().needsRehash('$2b$10$bcrypt-hash')).toBe(true);
    expect(await cheap.verifyNobody('anything')).toBe(false);
  });
});
