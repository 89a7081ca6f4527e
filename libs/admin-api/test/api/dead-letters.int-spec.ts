import { randomUUID } from 'node:crypto';
import { DeadLetterEntity } from '@tessera/events';
import { eventually, testEngines } from '@tessera/test-kit';
import { startAdminPlatform, type AdminPlatform } from '../support/admin-platform';

type Letter = { service: string; id: string; event_id?: string; name?: string; error: string; attempts: number };

/** Dead-lettered events of every service through the admin API: listed without payloads, and replayed. */
describe.each(testEngines())('admin API: dead letters (%s)', (engine) => {
  let app: AdminPlatform;
  let token: string;

  beforeAll(async () => {
    app = await startAdminPlatform({ engine });
    token = await app.cliToken();
  });
  afterAll(() => app?.close());

  /** A client.created event that the admin API's audit consumer gave up on (as after a long database outage). */
  async function deadLetterInAdminApi(clientId: string) {
    const letter = {
      id: randomUUID(),
      eventId: randomUUID(),
      queue: 'tessera.admin-api',
      name: 'client.created',
      version: 1,
      occurredAt: new Date().toISOString(),
      payload: JSON.stringify({ clientId }),
      error: 'Error: database unavailable',
      attempts: 5,
      failedAt: new Date().toISOString(),
    };
    await app.adminDataSource().getRepository(DeadLetterEntity).insert(letter);
    return letter;
  }

  it('lists them from every service, newest first, without payloads; replays one into its queue', async () => {
    const letter = await deadLetterInAdminApi('replayed-client');
    const listed = await app.admin<Letter[]>(token, 'GET', '/dead-letters');
    expect(listed.status).toBe(200);
    const mine = listed.body.find((l) => l.id === letter.id);
    expect(mine).toEqual({ service: 'admin-api', id: letter.id, event_id: letter.eventId, queue: 'tessera.admin-api', name: 'client.created', occurred_at: letter.occurredAt, failed_at: letter.failedAt, attempts: 5, error: 'Error: database unavailable' });
    expect(JSON.stringify(listed.body)).not.toContain('replayed-client');

    const retried = await app.admin(token, 'POST', `/dead-letters/admin-api/${letter.id}/retry`);
    expect(retried.status).toBe(202);
    await eventually(async () => {
      const audit = await app.admin<{ items: Array<{ type: string; client_id?: string }> }>(token, 'GET', '/audit?type=client.created&client_id=replayed-client');
      expect(audit.body.items).toHaveLength(1);
    });
    expect((await app.admin<Letter[]>(token, 'GET', '/dead-letters')).body.find((l) => l.id === letter.id)).toBeUndefined();
    const audit = await app.admin<{ items: Array<{ details: Record<string, unknown> }> }>(token, 'GET', '/audit?type=admin.dead_letter.retried');
    expect(audit.body.items[0].details).toEqual({ service: 'admin-api', id: letter.id });
  });

  it('answers 404 for an unknown service or dead letter, in every service', async () => {
    for (const path of ['/dead-letters/mail-service/x/retry', '/dead-letters/token-service/not-a-uuid/retry', `/dead-letters/admin-api/${randomUUID()}/retry`, `/dead-letters/token-service/${randomUUID()}/retry`, `/dead-letters/auth-service/${randomUUID()}/retry`]) {
      expect({ path, status: (await app.admin(token, 'POST', path)).status }).toEqual({ path, status: 404 });
    }
  });

  it('needs admin:write to replay', async () => {
    const letter = await deadLetterInAdminApi('read-only');
    const reader = await app.cliToken('admin:read');
    expect((await app.admin(reader, 'POST', `/dead-letters/admin-api/${letter.id}/retry`)).status).toBe(403);
  });
});
