import { randomUUID } from 'node:crypto';
import { decodeJwt, type JWTPayload } from 'jose';
import { IsNull, type DataSource } from 'typeorm';
import { inTransaction, Outbox, OutboxEntity, QueueDriver, type EventEnvelope, type EventOf } from '@tessera/events';
import type { DatabaseEngine } from '@tessera/runtime';
import { eventually, testEngines, testRedisUrl } from '@tessera/test-kit';
import { TOKEN_SERVICE_DATA_SOURCE } from '../../src/adapters/typeorm/data-source';
import type { OidcClient } from '../oidc/support';
import type { TestApp } from '../support/token-service-app';

export type RevocationRequest = EventOf<'revocation.requested'>;
export type RevocationCompleted = EventOf<'revocation.completed'>;

/** Each engine on the in-process queue, and on BullMQ when REDIS_URL is set (PostgreSQL when there is one). */
export function cases(): Array<{ engine: DatabaseEngine; queue: 'in-process' | 'bullmq' }> {
  const engines = testEngines();
  const list: Array<{ engine: DatabaseEngine; queue: 'in-process' | 'bullmq' }> = engines.map((engine) => ({ engine, queue: 'in-process' }));
  if (testRedisUrl()) list.push({ engine: engines.includes('postgres') ? 'postgres' : 'sqlite', queue: 'bullmq' });
  return list;
}

export const dataSourceOf = (app: TestApp) => app.running.app.get<DataSource>(TOKEN_SERVICE_DATA_SOURCE);

/** Emits `revocation.requested` as the admin API does: through the outbox, in a transaction. */
export function requestRevocation(app: TestApp, payload: RevocationRequest): Promise<EventEnvelope<'revocation.requested'>> {
  const outbox = app.running.app.get(Outbox);
  return inTransaction(dataSourceOf(app), (manager) => outbox.add(manager, 'revocation.requested', payload));
}

/** A revocation request of `clientId` made at `requestedAt` (epoch seconds). */
export const aRevocation = (clientId: string, requestedAt: number, extra: Partial<RevocationRequest> = {}): RevocationRequest => ({
  revocationId: randomUUID(),
  clientId,
  disableClient: false,
  requestedAt: new Date(requestedAt * 1000).toISOString(),
  ...extra,
});

/** Every `revocation.completed` the service wrote for the revocation, in order. */
export async function completions(app: TestApp, revocationId: string): Promise<RevocationCompleted[]> {
  const rows = await dataSourceOf(app).getRepository(OutboxEntity).find({ where: { name: 'revocation.completed' }, order: { occurredAt: 'ASC', id: 'ASC' } });
  return rows.map((row) => JSON.parse(row.payload) as RevocationCompleted).filter((c) => c.revocationId === revocationId);
}

/**
 * Waits until the revocation was answered `times` times, then until everything it set off ran:
 * nothing left in the outbox to relay, and nothing left on the service's queues.
 */
export async function settled(app: TestApp, revocationId: string, times = 1): Promise<RevocationCompleted[]> {
  await eventually(async () => expect(await completions(app, revocationId)).toHaveLength(times), { timeoutMs: 20_000, intervalMs: 20 });
  await quiescent(app);
  return completions(app, revocationId);
}

/** Nothing left in the outbox to relay, and nothing waiting or running on the service's queues. */
export async function quiescent(app: TestApp): Promise<void> {
  const driver = app.running.app.get(QueueDriver);
  const unpublished = () => dataSourceOf(app).getRepository(OutboxEntity).countBy({ publishedAt: IsNull() });
  await eventually(
    async () => {
      expect(await unpublished()).toBe(0);
      await driver.whenIdle();
      expect(await unpublished()).toBe(0);
    },
    { timeoutMs: 20_000, intervalMs: 20 },
  );
  await driver.whenIdle();
}

/** RFC 7662 introspection by `caller`: whether the token is active. */
export async function isActive(app: TestApp, caller: Pick<OidcClient, 'basic'>, token: string): Promise<boolean> {
  const res = await app.form('/oauth2/introspect', { token }, { authorization: caller.basic });
  if (res.status !== 200) throw new Error(`introspection failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { active: boolean }).active;
}

/** A refresh at the token endpoint: the status and error code. */
export async function refresh(app: TestApp, client: Pick<OidcClient, 'basic'>, refreshToken: string): Promise<{ status: number; error?: string }> {
  const res = await app.form('/oauth2/token', { grant_type: 'refresh_token', refresh_token: refreshToken }, { authorization: client.basic });
  const body = (await res.json()) as { error?: string };
  return { status: res.status, error: body.error };
}

/** A client_credentials access token of the client. */
export async function clientToken(app: TestApp, client: Pick<OidcClient, 'basic'>): Promise<string> {
  const res = await app.form('/oauth2/token', { grant_type: 'client_credentials' }, { authorization: client.basic });
  const body = (await res.json()) as { access_token?: string };
  if (res.status !== 200 || !body.access_token) throw new Error(`client_credentials failed: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

/** The ids of the clients the user's live grants are for, sorted. */
export async function grantedClients(app: TestApp, sub: string): Promise<string[]> {
  const res = await app.internal('GET', `/internal/grants?sub=${encodeURIComponent(sub)}`);
  return (res.body as unknown as Array<{ client_id: string }>).map((g) => g.client_id).sort();
}

/** The clients each of the user's live OP sessions lists, by sid. */
export async function sessionClients(app: TestApp, sub: string): Promise<Record<string, string[]>> {
  const res = await app.internal('GET', `/internal/op-sessions?sub=${encodeURIComponent(sub)}`);
  const sessions = res.body as unknown as Array<{ sid: string; clients: Array<{ client_id: string }> }>;
  return Object.fromEntries(sessions.map((s) => [s.sid, s.clients.map((c) => c.client_id).sort()]));
}

/** The `sub` and `sid` of each logout token received, in order (the signature is checked by the back-channel tests). */
export const logoutClaims = (tokens: Array<{ logoutToken?: string }>): Array<Pick<JWTPayload, 'sub'> & { sid?: unknown }> =>
  tokens.map((t) => {
    const claims = decodeJwt(t.logoutToken ?? '');
    return { sub: claims.sub, sid: claims['sid'] };
  });
