import type { Cluster, ServiceReplica } from '@tessera/cluster';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { eventually, lostGrants, mailFiles, unpublishedOutboxRows } from './checks';
import { basic, Browser, expectStatus, json, send } from './http';
import { startLoad, type Ledger, type LoadOptions, type RunningLoad } from './load';
import { codeFlow, type Tenant } from './workload';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What one fault case printed: what it sent, what failed, what was lost (must be 0), and what else it proved. */
export interface CaseReport {
  name: string;
  flows: Ledger;
  clientCredentials: Ledger;
  /** Grants, consents, mails or revocations lost, each described. */
  lost: string[];
  notes: string[];
}

export const DEFAULT_LOAD: LoadOptions = { flowWorkers: 3, serviceWorkers: 2 };

async function withLoad(tenant: Tenant, name: string, fault: (load: RunningLoad, notes: string[]) => Promise<{ revokedSubs?: string[] } | void>, load: LoadOptions = DEFAULT_LOAD): Promise<CaseReport> {
  const running = startLoad(tenant, load);
  const notes: string[] = [];
  let revokedSubs: string[] | undefined;
  try {
    revokedSubs = (await fault(running, notes))?.revokedSubs;
  } finally {
    await running.stop();
  }
  const lost = [
    ...(await lostGrants(tenant, running.grants, { revokedSubs })),
    ...(running.flows.lost ? [`${running.flows.lost} code flows never completed`] : []),
    ...(running.clientCredentials.lost ? [`${running.clientCredentials.lost} client_credentials requests never succeeded`] : []),
  ];
  notes.push(`${running.grants.length} grants checked after the fault (access token active, refresh token redeemed, consent remembered)`);
  return { name, flows: running.flows, clientCredentials: running.clientCredentials, lost, notes };
}

/** 1. kill -9 of one token-service replica under load; it is started again 5 s later, as an orchestrator would. */
export function killTokenServiceReplica(cluster: Cluster, tenant: Tenant): Promise<CaseReport> {
  return withLoad(tenant, 'kill -9 of a token-service replica', async (_load, notes) => {
    await sleep(5000);
    const victim = cluster.replicasOf('token-service')[0];
    const pid = victim.process.pid;
    await victim.stop('SIGKILL');
    notes.push(`${victim.name} (pid ${pid}) killed with SIGKILL`);
    await sleep(5000);
    await victim.start();
    notes.push(`${victim.name} started again and ready`);
    await sleep(5000);
  });
}

/**
 * 2. Redis stopped for 20 s under load. Meanwhile a person asks for a password-reset mail and an
 * administrator revokes a user's access to the web client: both wait in the outbox (PostgreSQL)
 * and must arrive once Redis is back.
 */
export function stopRedis(cluster: Cluster, tenant: Tenant, outageMs = 20_000): Promise<CaseReport> {
  return withLoad(tenant, `Redis stopped for ${outageMs / 1000} s`, async (_load, notes) => {
    await sleep(4000);
    const mailsBefore = mailFiles(cluster).length;
    await cluster.redis.stop();
    const down = Date.now();
    notes.push('Redis stopped (SIGTERM)');
    await sleep(3000);

    // A password-reset mail, asked for while Redis is down.
    const person = tenant.reserved.recovery;
    const browser = new Browser(tenant.issuer);
    expectStatus('GET /auth/csrf', await browser.request('GET /auth/csrf', '/auth/csrf'), 200);
    expectStatus('POST /auth/recovery', await browser.post('POST /auth/recovery', '/auth/recovery', { email: person.email }), 202);
    // An administrator's revocation of one user's access, while Redis is down.
    const revokedUser = tenant.reserved.revoked;
    const before = await codeFlow(tenant, revokedUser);
    const admin = await tenant.adminToken();
    const revocation = json<{ id: string; status: string }>(
      'POST revocations',
      expectStatus(
        'POST revocations',
        await send('POST revocations', `${tenant.issuer}/admin/api/users/${revokedUser.sub}/revocations`, {
          method: 'POST',
          headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
          body: JSON.stringify({ client_id: tenant.webClient.client_id }),
        }),
        202,
      ),
    );
    notes.push(`while Redis was down: a password-reset mail asked for, revocation ${revocation.id} requested (${revocation.status})`);

    await sleep(Math.max(0, outageMs - (Date.now() - down)));
    await cluster.redis.start();
    notes.push(`Redis started again after ${((Date.now() - down) / 1000).toFixed(1)} s`);

    const delivered = await eventually('the password-reset mail', async () => (mailFiles(cluster).length > mailsBefore ? true : undefined), 90_000);
    const completed = await eventually(
      'the revocation',
      async () => {
        const r = json<{ status: string }>('GET revocation', await send('GET revocation', `${tenant.issuer}/admin/api/revocations/${revocation.id}`, { headers: { authorization: `Bearer ${admin}` } }));
        return r.status === 'completed' ? r : undefined;
      },
      90_000,
    );
    const refused = await send('refresh after revocation', `${tenant.issuer}/oauth2/token`, {
      method: 'POST',
      headers: { authorization: basic(tenant.webClient.client_id, tenant.webClient.client_secret), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: before.refreshToken }).toString(),
    });
    if (refused.status !== 400) throw new Error(`the revoked user's refresh token still works (HTTP ${refused.status})`);
    notes.push(`after Redis returned: the mail was delivered (${delivered}), the revocation ${completed.status}, the revoked refresh token refused`);
    await sleep(3000);
    return { revokedSubs: [revokedUser.sub] };
  });
}

/**
 * 3. PostgreSQL stopped as by a crash (immediate shutdown: no checkpoint, WAL recovery at start)
 * and started again 5 s later: every replica reports not-ready meanwhile, all are ready again
 * without a restart, and the outbox drains (no event half-written or stuck).
 */
export function restartPostgres(cluster: Cluster, tenant: Tenant): Promise<CaseReport> {
  return withLoad(tenant, 'PostgreSQL crashed and restarted', async (_load, notes) => {
    await sleep(5000);
    const restarted = cluster.postgres.restart('immediate', 5000);
    await sleep(2500);
    const readiness = await Promise.all(cluster.replicas.map(async (r) => [r.name, (await r.readiness().catch(() => ({ status: 0 }))).status] as const));
    const ready = readiness.filter(([, status]) => status === 200);
    if (ready.length) throw new Error(`replicas ready while PostgreSQL was down: ${ready.map(([n]) => n).join(', ')}`);
    notes.push(`while PostgreSQL was down every replica answered /health/ready with ${[...new Set(readiness.map(([, s]) => s))].join('/')}`);
    await restarted;
    await eventually('every replica ready again', async () => {
      const states = await Promise.all(cluster.replicas.map((r) => r.readiness().then((x) => x.status)));
      return states.every((s) => s === 200) ? true : undefined;
    });
    const pids = cluster.replicas.map((r) => r.process.pid);
    notes.push(`PostgreSQL back; every replica ready again, none restarted (pids ${pids.join(', ')})`);
    await sleep(5000);
    await eventually('the outbox drained', async () => ((await unpublishedOutboxRows(cluster)) === 0 ? true : undefined), 60_000);
    notes.push('no unpublished outbox rows left');
  });
}

/** An ID token from each replica, one after the other (one password check per account at a time). */
async function idTokensFrom(tenant: Tenant, replicas: ServiceReplica[]): Promise<string[]> {
  const tokens: string[] = [];
  for (const replica of replicas) tokens.push(await idTokenFrom(tenant, replica));
  return tokens;
}

/** ID tokens from one replica, by a complete flow whose code is redeemed at that replica directly. */
async function idTokenFrom(tenant: Tenant, replica: ServiceReplica, user = tenant.reserved.rotation): Promise<string> {
  const grant = await codeFlow(tenant, user);
  const answer = await send('refresh at a replica', `http://${replica.address}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: basic(tenant.webClient.client_id, tenant.webClient.client_secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: grant.refreshToken, scope: 'openid' }).toString(),
  });
  const body = json<{ id_token?: string }>('refresh at a replica', expectStatus('refresh at a replica', answer, 200));
  if (!body.id_token) throw new Error('the refresh response has no id_token');
  return body.id_token;
}

async function jwksOf(replica: ServiceReplica): Promise<JSONWebKeySet> {
  return json<JSONWebKeySet>('GET jwks', expectStatus('GET jwks', await send('GET jwks', `http://${replica.address}/oauth2/jwks`), 200));
}

/**
 * 4. A signing-key rotation (admin API) while both token-service replicas serve traffic: ID
 * tokens issued by either replica before and after it verify against the JWKS of either replica.
 */
export function rotateKeysUnderLoad(cluster: Cluster, tenant: Tenant): Promise<CaseReport> {
  return withLoad(tenant, 'signing-key rotation under load', async (_load, notes) => {
    const replicas = cluster.replicasOf('token-service');
    const before = await idTokensFrom(tenant, replicas);
    const kidOf = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString()) as { kid: string }).kid;
    const admin = await tenant.adminToken();
    const rotated = await send('POST /admin/api/keys/rotate', `${tenant.issuer}/admin/api/keys/rotate`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
    expectStatus('POST /admin/api/keys/rotate', rotated, 200, 201);
    notes.push(`keys rotated through the admin API (HTTP ${rotated.status}) while the load ran`);
    // A replica may sign with the old key for a moment (until it hears of the rotation); wait until both sign with a new one.
    const after = await eventually(
      'both replicas signing with the new key',
      async () => {
        const tokens = await idTokensFrom(tenant, replicas);
        return tokens.every((t) => kidOf(t) !== kidOf(before[0])) ? tokens : undefined;
      },
      60_000,
    );
    const problems: string[] = [];
    for (const verifier of replicas) {
      const keys = createLocalJWKSet(await jwksOf(verifier));
      for (const [i, token] of [...before, ...after].entries()) {
        try {
          await jwtVerify(token, keys, { issuer: tenant.issuer, audience: tenant.webClient.client_id });
        } catch (err) {
          problems.push(`${i < before.length ? 'pre' : 'post'}-rotation token of ${replicas[i % replicas.length].name} does not verify with ${verifier.name}'s JWKS: ${(err as Error).message}`);
        }
      }
    }
    if (problems.length) throw new Error(problems.join('; '));
    notes.push(`ID tokens of ${replicas.map((r) => r.name).join(' and ')} before (kid ${kidOf(before[0])}) and after (kid ${kidOf(after[0])}) the rotation verify with each replica's JWKS`);
    await sleep(3000);
  });
}

