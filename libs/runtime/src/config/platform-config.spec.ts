import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, isOrigin, parseEnv, platformConfigSchema, toPlatformConfig } from './platform-config';

const A_MASTER_KEY = Buffer.alloc(32, 7).toString('base64url');

function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('parseEnv', () => {
  it('lists every bad setting in one ConfigError, not just the first', () => {
    const err = configErrorOf(() =>
      parseEnv(
        {
          TESSERA_ISSUER: 'https://x.test/path',
          TESSERA_PORT: '99999',
          DATABASE_URL: 'mysql://db.test/tessera',
          TESSERA_MASTER_KEY: 'short',
        },
        platformConfigSchema,
      ),
    );

    expect(err.problems).toHaveLength(4);
    expect(err.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^TESSERA_ISSUER="https:\/\/x\.test\/path": must be an origin/),
        expect.stringMatching(/^TESSERA_PORT="99999": /),
        expect.stringMatching(/^DATABASE_URL="mysql:\/\/db\.test\/tessera": must be a postgres:\/\/ URL/),
        expect.stringMatching(/^TESSERA_MASTER_KEY=.*: must be 32 random bytes/),
      ]),
    );
    for (const key of ['TESSERA_ISSUER', 'TESSERA_PORT', 'DATABASE_URL', 'TESSERA_MASTER_KEY']) {
      expect(err.message).toContain(`  - ${key}=`);
    }
  });

  it('collects the problems of every schema given, service schemas included', () => {
    const serviceSchema = z.object({ SERVICE_TTL: z.coerce.number().int().min(60) });

    const err = configErrorOf(() => parseEnv({ TESSERA_PORT: 'abc', SERVICE_TTL: '5' }, platformConfigSchema, serviceSchema));

    expect(err.problems.map((p) => p.split('=')[0])).toEqual(['TESSERA_PORT', 'SERVICE_TTL']);
  });

  it('never prints the value of a secret setting, even a malformed one', () => {
    const hexKey = 'ab'.repeat(32); // a real key, just in the wrong encoding
    const secret = 'too-short-but-still-a-secret';

    const err = configErrorOf(() =>
      parseEnv({ TESSERA_MASTER_KEY: hexKey, TESSERA_INTERNAL_SECRET: secret, TESSERA_MASTER_KEYS_RETIRED: `${hexKey},x` }, platformConfigSchema),
    );

    expect(err.problems).toHaveLength(3);
    expect(err.message).not.toContain(hexKey);
    expect(err.message).not.toContain(secret);
    expect(err.message).toContain('TESSERA_INTERNAL_SECRET=(hidden): must be at least 32 characters');
  });

  it('masks the password of a bad URL setting but keeps the rest to debug with', () => {
    const err = configErrorOf(() => parseEnv({ DATABASE_URL: 'mysql://tessera:s3cr3t@p@db.test:3306/tessera' }, platformConfigSchema));

    expect(err.problems).toEqual(['DATABASE_URL="mysql://tessera:***@db.test:3306/tessera": must be a postgres:// URL']);
  });

  it('treats empty variables as unset, so defaults apply', () => {
    const [env] = parseEnv({ TESSERA_PORT: '', TESSERA_ISSUER: '', TESSERA_LOG_LEVEL: '' }, platformConfigSchema);

    expect(env.TESSERA_PORT).toBe(3000);
    expect(env.TESSERA_ISSUER).toBeUndefined();
    expect(env.TESSERA_LOG_LEVEL).toBe('info');
  });

  it('accepts valid settings and coerces ports to numbers', () => {
    const [env] = parseEnv(
      {
        TESSERA_ISSUER: 'https://id.example.com',
        TESSERA_PORT: '8443',
        DATABASE_URL: 'postgresql://db.test/tessera',
        REDIS_URL: 'rediss://cache.test:6380',
        TESSERA_MASTER_KEY: A_MASTER_KEY,
        TESSERA_MASTER_KEYS_RETIRED: `${Buffer.alloc(32, 1).toString('base64url')}, ${Buffer.alloc(32, 2).toString('base64url')}`,
      },
      platformConfigSchema,
    );

    expect(env).toMatchObject({ TESSERA_ISSUER: 'https://id.example.com', TESSERA_PORT: 8443, TESSERA_MASTER_KEY: A_MASTER_KEY });
  });

  it('refuses a redis URL of another scheme and an unknown log level', () => {
    const err = configErrorOf(() => parseEnv({ REDIS_URL: 'http://cache.test', TESSERA_LOG_LEVEL: 'verbose' }, platformConfigSchema));

    expect(err.problems.map((p) => p.split('=')[0]).sort()).toEqual(['REDIS_URL', 'TESSERA_LOG_LEVEL']);
  });
});

describe('isOrigin', () => {
  it.each(['https://id.example.com', 'http://localhost:3000', 'https://id.example.com:8443', 'http://127.0.0.1:3000', 'http://[::1]:3000'])(
    'accepts the origin %s',
    (value) => {
      expect(isOrigin(value)).toBe(true);
    },
  );

  it.each([
    ['a trailing slash', 'https://id.example.com/'],
    ['a path', 'https://id.example.com/tessera'],
    ['a query', 'https://id.example.com?tenant=a'],
    ['an empty query', 'https://id.example.com?'],
    ['a fragment', 'https://id.example.com#top'],
    ['user info', 'https://admin@id.example.com'],
    ['an ftp scheme', 'ftp://id.example.com'],
    ['a file scheme', 'file:///etc/passwd'],
    ['a javascript scheme', 'javascript:alert(1)'],
    ['no scheme', 'id.example.com'],
    ['an uppercase host (not the serialized origin)', 'https://ID.example.com'],
    ['nothing', ''],
  ])('refuses a value with %s', (_, value) => {
    expect(isOrigin(value)).toBe(false);
  });
});

describe('toPlatformConfig', () => {
  it('defaults the issuer to http://localhost on the public port', () => {
    const [env] = parseEnv({ TESSERA_PORT: '4100' }, platformConfigSchema);

    expect(toPlatformConfig(env, '/srv/tessera').issuer).toBe('http://localhost:4100');
  });

  it('keeps an explicit issuer as given', () => {
    const [env] = parseEnv({ TESSERA_ISSUER: 'https://id.example.com', TESSERA_PORT: '4100' }, platformConfigSchema);

    expect(toPlatformConfig(env, '/srv/tessera').issuer).toBe('https://id.example.com');
  });

  it('resolves a relative data directory against the working directory', () => {
    const [env] = parseEnv({ TESSERA_DATA_DIR: 'data/tessera' }, platformConfigSchema);

    expect(toPlatformConfig(env, '/srv/app').dataDir).toBe(resolve('/srv/app', 'data/tessera'));
  });

  it('resolves the default data directory "var" against the working directory', () => {
    const [env] = parseEnv({}, platformConfigSchema);

    expect(toPlatformConfig(env, '/srv/app').dataDir).toBe(resolve('/srv/app', 'var'));
  });

  it('keeps an absolute data directory as it is', () => {
    const [env] = parseEnv({ TESSERA_DATA_DIR: '/var/lib/tessera' }, platformConfigSchema);

    expect(toPlatformConfig(env, '/srv/app').dataDir).toBe('/var/lib/tessera');
  });

  it('fills the listener defaults and an empty retired-key list when nothing is set', () => {
    const [env] = parseEnv({}, platformConfigSchema);

    expect(toPlatformConfig(env, '/srv/app')).toEqual({
      issuer: 'http://localhost:3000',
      host: '127.0.0.1',
      port: 3000,
      internalHost: '127.0.0.1',
      internalPort: 3001,
      dataDir: resolve('/srv/app', 'var'),
      databaseUrl: undefined,
      redisUrl: undefined,
      masterKey: undefined,
      retiredMasterKeys: [],
      internalSecret: undefined,
      retiredInternalSecrets: [],
      metricsToken: undefined,
      logLevel: 'info',
      housekeepingBatch: 1000,
    });
  });

  it('reads the housekeeping batch size, a positive integer', () => {
    expect(toPlatformConfig(parseEnv({ TESSERA_HOUSEKEEPING_BATCH: '250' }, platformConfigSchema)[0]).housekeepingBatch).toBe(250);
    expect(() => parseEnv({ TESSERA_HOUSEKEEPING_BATCH: '0' }, platformConfigSchema)).toThrow(/TESSERA_HOUSEKEEPING_BATCH="0"/);
  });

  it('reads the metrics token, at least 32 characters, and never prints a short one', () => {
    const token = 'm'.repeat(32);
    const short = 'metrics-token-too-short';

    expect(toPlatformConfig(parseEnv({ TESSERA_METRICS_TOKEN: token }, platformConfigSchema)[0]).metricsToken).toBe(token);
    const err = configErrorOf(() => parseEnv({ TESSERA_METRICS_TOKEN: short }, platformConfigSchema));
    expect(err.problems).toEqual(['TESSERA_METRICS_TOKEN=(hidden): must be at least 32 characters']);
    expect(err.message).not.toContain(short);
  });

  it('splits the retired master keys on commas and trims them', () => {
    const k1 = Buffer.alloc(32, 1).toString('base64url');
    const k2 = Buffer.alloc(32, 2).toString('base64url');
    const [env] = parseEnv({ TESSERA_MASTER_KEYS_RETIRED: `${k1} , ${k2}` }, platformConfigSchema);

    expect(toPlatformConfig(env, '/srv/app').retiredMasterKeys).toEqual([k1, k2]);
  });

  it('sends the internal secret as given and accepts every secret also trimmed, so whitespace around one never splits replicas', () => {
    const secret = 'c'.repeat(32);
    const retired = 'r'.repeat(32);
    // A secret read from a file with its newline, and a retired one pasted with one.
    const [env] = parseEnv({ TESSERA_INTERNAL_SECRET: `${secret}\n`, TESSERA_INTERNAL_SECRETS_RETIRED: `${retired}\n` }, platformConfigSchema);
    const config = toPlatformConfig(env, '/srv/app');

    // What this replica sends is what it sent before (replicas of the previous release accept it).
    expect(config.internalSecret).toBe(`${secret}\n`);
    // The current one trimmed (how it reads once moved to the retired list), each retired one in both forms.
    expect(config.retiredInternalSecrets.sort()).toEqual([secret, retired, `${retired}\n`].sort());
  });

  it('splits the retired internal secrets on commas, accepts each as given and trimmed, and never prints one in an error', () => {
    const s1 = 'a'.repeat(32);
    const s2 = 'b'.repeat(40);
    const [env] = parseEnv({ TESSERA_INTERNAL_SECRETS_RETIRED: `${s1} , ${s2}` }, platformConfigSchema);

    expect(toPlatformConfig(env, '/srv/app').retiredInternalSecrets.sort()).toEqual([s1, `${s1} `, s2, ` ${s2}`].sort());
    const short = 'a-retired-secret-too-short';
    const err = configErrorOf(() => parseEnv({ TESSERA_INTERNAL_SECRETS_RETIRED: `${s1},${short}` }, platformConfigSchema));
    expect(err.problems).toEqual([
      'TESSERA_INTERNAL_SECRETS_RETIRED=(hidden): must be a comma-separated list of retired internal secrets (at least 32 characters each)',
    ]);
    expect(err.message).not.toContain(short);
    expect(err.message).not.toContain(s1);
  });
});
