import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from '@tessera/cluster';
import { Client as PgClient } from 'pg';
import { send } from './http';
import { introspect, tokenRequest, type IssuedGrant, type Tenant } from './workload';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value, or throws `what` after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs / 1000} s${last instanceof Error ? ` (${last.message})` : ''}`);
    await sleep(250);
  }
}

/**
 * What the completed flows left behind, checked after the fault: each access token still active,
 * each refresh token still redeemable (its family intact), and each user's consent remembered.
 * Returns the descriptions of what was lost (empty when nothing was).
 */
export async function lostGrants(tenant: Tenant, grants: IssuedGrant[], options: { revokedSubs?: string[] } = {}): Promise<string[]> {
  const lost: string[] = [];
  const revoked = new Set(options.revokedSubs ?? []);
  for (const grant of grants) {
    if (revoked.has(grant.user.sub)) continue;
    const active = await introspect(tenant, grant.accessToken);
    if (active['active'] !== true || active['sub'] !== grant.user.sub) lost.push(`access token of ${grant.user.email} is no longer active`);
    try {
      await tokenRequest(tenant, 'refresh', { grant_type: 'refresh_token', refresh_token: grant.refreshToken });
    } catch (err) {
      lost.push(`refresh token of ${grant.user.email}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const token = await tenant.adminToken();
  for (const sub of new Set(grants.map((g) => g.user.sub))) {
    if (revoked.has(sub)) continue;
    const answer = await send('GET grants', `${tenant.issuer}/admin/api/users/${sub}/grants`, { headers: { authorization: `Bearer ${token}` } });
    const body = JSON.parse(answer.text) as { items?: Array<{ client_id: string }> } | Array<{ client_id: string }>;
    const items = Array.isArray(body) ? body : (body.items ?? []);
    if (!items.some((g) => g.client_id === tenant.webClient.client_id)) lost.push(`the consent of ${sub} to the web client is gone`);
  }
  return lost;
}

/** Outbox rows not yet published, in every service's schema (the relay must drain them all). */
export async function unpublishedOutboxRows(cluster: Cluster): Promise<number> {
  const pg = new PgClient({ connectionString: cluster.postgres.url });
  await pg.connect();
  try {
    const schemas = (await pg.query<{ table_schema: string }>("select table_schema from information_schema.tables where table_name = 'outbox'")).rows;
    let pending = 0;
    for (const { table_schema } of schemas)
      pending += Number((await pg.query<{ n: string }>(`select count(*) as n from "${table_schema}".outbox where published_at is null`)).rows[0].n);
    return pending;
  } finally {
    await pg.end();
  }
}

/** The mail files the auth-service replicas wrote (no SMTP_URL: `<data dir>/mail/*.eml`). */
export function mailFiles(cluster: Cluster): string[] {
  return cluster.replicasOf('auth-service').flatMap((r) => {
    const dir = join(cluster.dir, 'services', r.name, 'mail');
    try {
      return readdirSync(dir).filter((f) => f.endsWith('.eml')).map((f) => join(dir, f));
    } catch {
      return [];
    }
  });
}

