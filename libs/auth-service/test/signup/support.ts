import type { DataSource } from 'typeorm';
import { AUTH_SERVICE_DATA_SOURCE } from '../../src/auth-service.tokens';
import { PasswordHasher } from '../../src/passwords/password-hasher';
import type { PlatformApp } from '../support/platform-app';
import { Portal, type JsonResponse } from '../support/portal';

/** What the sign-up tests read from the running app beside its HTTP APIs. */
export function lookInto(app: PlatformApp) {
  const dataSource = () => app.running.app.get<DataSource>(AUTH_SERVICE_DATA_SOURCE);
  return {
    /** The user's `sub` by address (there is no public lookup, on purpose). */
    async subOf(email: string): Promise<string | undefined> {
      const pg = dataSource().options.type === 'postgres';
      const rows = (await dataSource().query(`SELECT "sub" FROM "users" WHERE "email" = ${pg ? '$1' : '?'}`, [email.toLowerCase()])) as Array<{ sub: string }>;
      return rows[0]?.sub;
    },
    /** The claims the token service would release (the internal claims API). */
    async claimsOf(sub: string): Promise<Record<string, unknown>> {
      const res = await app.internal('GET', `/internal/users/${sub}/claims`);
      if (res.status !== 200) throw new Error(`claims: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    /** The service's password hasher (its `hash` can be spied on). */
    hasher: () => app.running.app.get(PasswordHasher, { strict: false }),
    /** The raw payloads of the auth-service's outbox (to show no secret is written there in clear). */
    async outboxText(): Promise<string> {
      const rows = (await dataSource().query('SELECT "payload" FROM "outbox"')) as Array<{ payload: string }>;
      return rows.map((r) => r.payload).join('\n');
    },
  };
}

/** Whether a browser still has a signed-in session (the login view of a fresh challenge shows it). */
export async function sessionOf(portal: Portal, clientId: string): Promise<unknown> {
  const loginUrl = await portal.authorize(clientId, { prompt: 'login' });
  return (await portal.get(`/auth/login?login_challenge=${encodeURIComponent(Portal.challengeOf(loginUrl, 'login'))}`)).body['session'];
}

/** The attributes of a Set-Cookie header without its value, to compare two answers. */
export function cookieShape(res: JsonResponse, name: string): string | undefined {
  const line = res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  return line?.replace(/^[^=]+=[^;]*/, `${name}=<value>`);
}
