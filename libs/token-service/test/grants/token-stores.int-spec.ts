import { createTestDatabase, testEngines, type TestDatabase } from '@tessera/test-kit';
import { AuthorizationCodeTypeormStore } from '../../src/adapters/typeorm/authorization-code.typeorm-store';
import { TypeormUnitOfWork } from '../../src/adapters/typeorm/data-source';
import { SERVICE_DATABASE } from '../../src/adapters/typeorm/database';
import { RefreshTokenTypeormStore } from '../../src/adapters/typeorm/refresh-token.typeorm-store';
import type { AuthorizationCode } from '../../src/ports/authorization-code.store';
import type { RefreshToken } from '../../src/ports/refresh-token.store';
import { Rollback, runAndRollBack } from '../stores/store-harness';

const T = 4_102_440_000;

const aCode = (storageKey: string, overrides: Partial<AuthorizationCode> = {}): AuthorizationCode => ({
  storageKey,
  clientId: 'app',
  grantId: '00000000-0000-4000-8000-000000000001',
  sub: 'user-1',
  scope: ['openid', 'offline_access'],
  resource: ['https://api.test/'],
  redirectUri: 'https://app.test/cb',
  redirectUriSent: true,
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  codeChallengeMethod: 'S256',
  nonce: 'n-1',
  amr: ['pwd', 'otp'],
  authTime: T - 10,
  issuedAt: T,
  expiresAt: T + 60,
  ...overrides,
});

const aRefreshToken = (storageKey: string, overrides: Partial<RefreshToken> = {}): RefreshToken => ({
  storageKey,
  familyId: '00000000-0000-4000-8000-00000000000f',
  grantId: '00000000-0000-4000-8000-000000000001',
  clientId: 'app',
  sub: 'user-1',
  scope: ['offline_access'],
  resource: [],
  amr: ['pwd'],
  authTime: T - 10,
  issuedAt: T,
  expiresAt: T + 86_400,
  ...overrides,
});

/** The store methods the code and refresh grants added, on every engine. */
describe.each(testEngines())('code and refresh-token stores (%s)', (engine) => {
  let db: TestDatabase;
  let codes: AuthorizationCodeTypeormStore;
  let refreshTokens: RefreshTokenTypeormStore;
  let uow: TypeormUnitOfWork;
  beforeEach(async () => {
    db = await createTestDatabase(SERVICE_DATABASE, engine);
    codes = new AuthorizationCodeTypeormStore(db.dataSource);
    refreshTokens = new RefreshTokenTypeormStore(db.dataSource);
    uow = new TypeormUnitOfWork(db.dataSource);
  });
  afterEach(() => db.destroy());

  describe('AuthorizationCodeStore', () => {
    it('consumes a code once, starting its family', async () => {
      await codes.insert(aCode('c1'));
      expect(await codes.consume('c1', T + 1, 'family-1')).toBe(true);
      expect(await codes.consume('c1', T + 2, 'family-2')).toBe(false);
      expect(await codes.find('c1')).toEqual({ ...aCode('c1'), consumedAt: T + 1, familyId: 'family-1' });
    });

    it('records the redemption\'s JWT with the code, keeping everything else, and commits it with the redemption', async () => {
      await codes.insert(aCode('c1'));
      await uow.run(async (tx) => {
        expect(await codes.consume('c1', T + 1, 'family-1', tx)).toBe(true);
        await codes.recordAccessToken('c1', { jti: 'jti-1', expiresAt: T + 3600 }, tx);
      });
      expect(await codes.find('c1')).toEqual({ ...aCode('c1'), consumedAt: T + 1, familyId: 'family-1', accessJti: 'jti-1', accessExpiresAt: T + 3600 });
    });

    it('rolls the consumption and the record back together', async () => {
      await codes.insert(aCode('c1'));
      await runAndRollBack(uow, async (tx) => {
        await codes.consume('c1', T + 1, 'family-1', tx);
        await codes.recordAccessToken('c1', { jti: 'jti-1', expiresAt: T + 3600 }, tx);
      });
      expect(await codes.find('c1')).toEqual(aCode('c1'));
    });
  });

  describe('RefreshTokenStore', () => {
    it('replaces the JWT recorded with a live token and returns the one it replaced', async () => {
      await refreshTokens.insert(aRefreshToken('r1', { accessJti: 'old', accessExpiresAt: T + 3600 }));
      const result = await uow.run((tx) => refreshTokens.replaceAccessToken('r1', { jti: 'new', expiresAt: T + 3700 }, tx));
      expect(result).toEqual({ replaced: { jti: 'old', expiresAt: T + 3600 } });
      expect(await refreshTokens.find('r1')).toMatchObject({ accessJti: 'new', accessExpiresAt: T + 3700 });
    });

    it('clears the record for a reference access token, and replaces nothing when none was recorded', async () => {
      await refreshTokens.insert(aRefreshToken('r1'));
      expect(await uow.run((tx) => refreshTokens.replaceAccessToken('r1', undefined, tx))).toEqual({ replaced: undefined });
      expect((await refreshTokens.find('r1'))?.accessJti).toBeUndefined();
    });

    it.each([
      ['consumed', { consumedAt: T + 1 }],
      ['revoked', { revokedAt: T + 1 }],
    ])('changes nothing on a %s token and says so (undefined)', async (_, state) => {
      await refreshTokens.insert(aRefreshToken('r1', { accessJti: 'old', accessExpiresAt: T + 3600, ...state }));
      expect(await uow.run((tx) => refreshTokens.replaceAccessToken('r1', { jti: 'new', expiresAt: T + 3700 }, tx))).toBeUndefined();
      expect((await refreshTokens.find('r1'))?.accessJti).toBe('old');
    });

    it('revokes a family and returns the JWTs recorded with it that are still live', async () => {
      await refreshTokens.insert(aRefreshToken('r1', { consumedAt: T + 5, accessJti: 'expired', accessExpiresAt: T + 10 }));
      await refreshTokens.insert(aRefreshToken('r2', { accessJti: 'live', accessExpiresAt: T + 3600 }));
      await refreshTokens.insert(aRefreshToken('other', { familyId: '00000000-0000-4000-8000-0000000000aa', accessJti: 'x', accessExpiresAt: T + 3600 }));
      expect(await refreshTokens.revokeFamily('00000000-0000-4000-8000-00000000000f', T + 20)).toEqual([{ jti: 'live', expiresAt: T + 3600 }]);
      expect((await refreshTokens.find('r1'))?.revokedAt).toBe(T + 20);
      expect((await refreshTokens.find('r2'))?.revokedAt).toBe(T + 20);
      expect((await refreshTokens.find('other'))?.revokedAt).toBeUndefined();
    });

    it('revokes a client\'s tokens, only those issued at or before an instant when given one', async () => {
      await refreshTokens.insert(aRefreshToken('before', { issuedAt: T }));
      await refreshTokens.insert(aRefreshToken('after', { issuedAt: T + 10 }));
      await refreshTokens.insert(aRefreshToken('other-client', { clientId: 'other', issuedAt: T }));
      expect(await refreshTokens.revokeByClient('app', T + 20, undefined, T + 5)).toBe(1);
      expect((await refreshTokens.find('before'))?.revokedAt).toBe(T + 20);
      expect((await refreshTokens.find('after'))?.revokedAt).toBeUndefined();
      expect(await refreshTokens.revokeByClient('app', T + 30)).toBe(1);
      expect((await refreshTokens.find('after'))?.revokedAt).toBe(T + 30);
      expect((await refreshTokens.find('before'))?.revokedAt).toBe(T + 20);
      expect((await refreshTokens.find('other-client'))?.revokedAt).toBeUndefined();
    });
  });

  describe('UnitOfWork', () => {
    it('keeps concurrent transactions apart: one rolling back does not undo the other', async () => {
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const first = uow.run(async (tx) => {
        await refreshTokens.insert(aRefreshToken('rolled-back'), tx);
        await gate;
        throw new Rollback();
      });
      const second = uow.run((tx) => refreshTokens.insert(aRefreshToken('committed'), tx));
      await new Promise((resolve) => setTimeout(resolve, 20));
      release();

      await expect(first).rejects.toBeInstanceOf(Rollback);
      await second;

      expect(await refreshTokens.find('rolled-back')).toBeUndefined();
      expect(await refreshTokens.find('committed')).toBeDefined();
    });
  });
});
