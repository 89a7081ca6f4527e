import { ConfigError, parseEnv } from '@tessera/runtime';
import { tokenServiceConfigSchema, toTokenServiceConfig } from './token-service-config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseEnv(env, tokenServiceConfigSchema);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('TESSERA_SCOPES', () => {
  it('takes custom scopes and claims as JSON into the config', () => {
    const scopes = { scopes: [{ name: 'billing', description: 'Your plan and invoices', claims: ['plan'] }], claims: ['employee_id'] };
    const [env] = parseEnv({ TESSERA_SCOPES: JSON.stringify(scopes) }, tokenServiceConfigSchema);
    expect(toTokenServiceConfig(env, 'https://id.example.com').customScopes).toEqual(scopes);
  });

  it('stops start-up listing every bad definition, not just the first', () => {
    const problems = problemsOf({
      TESSERA_SCOPES: JSON.stringify({ scopes: [{ name: 'profile', description: 'mine now' }, { name: 'has space', description: 'x' }] }),
    });
    expect(problems.length).toBeGreaterThanOrEqual(2);
    expect(problems.every((p) => p.startsWith('TESSERA_SCOPES'))).toBe(true);
    expect(problems.join('\n')).toMatch(/profile/);
    expect(problems.join('\n')).toMatch(/has space/);
  });

  it('refuses something that is not a JSON object', () => {
    expect(problemsOf({ TESSERA_SCOPES: '["billing"]' })).toEqual([expect.stringMatching(/^TESSERA_SCOPES.*JSON object/)]);
    expect(problemsOf({ TESSERA_SCOPES: '{not json' })).toEqual([expect.stringMatching(/^TESSERA_SCOPES.*JSON object/)]);
  });
});
