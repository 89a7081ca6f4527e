import type { DataSource } from 'typeorm';
import { Outbox, OutboxEntity, ProcessedEventEntity, inTransaction, type EventName, type EventOf } from '@tessera/events';
import { eventually } from '@tessera/test-kit';
import { TOKEN_SERVICE_DATA_SOURCE } from '../../src/adapters/typeorm/data-source';
import type { TestApp } from '../support/token-service-app';

import { json, type JsonBody } from '../support/json-body';

export { json, type JsonBody };

export const dataSourceOf = (app: TestApp) => app.running.app.get<DataSource>(TOKEN_SERVICE_DATA_SOURCE);

/** Publishes an event the way a producer does: written to the outbox inside a transaction. */
export async function publish<N extends EventName>(app: TestApp, name: N, payload: EventOf<N>): Promise<string> {
  const outbox = app.running.app.get(Outbox);
  const envelope = await inTransaction(dataSourceOf(app), (manager) => outbox.add(manager, name, payload));
  return envelope.id;
}

/** The outbox rows of `name` whose payload names `clientId`. */
export async function outboxRows(app: TestApp, name: EventName, clientId: string): Promise<OutboxEntity[]> {
  const rows = await dataSourceOf(app).getRepository(OutboxEntity).findBy({ name });
  return rows.filter((r) => JSON.parse(r.payload).clientId === clientId);
}

/** Waits until the relay marked the event published and the token service's consumer processed it. */
export async function consumed(app: TestApp, eventId: string): Promise<void> {
  const ds = dataSourceOf(app);
  await eventually(async () => {
    const row = await ds.getRepository(OutboxEntity).findOneByOrFail({ id: eventId });
    expect(row.publishedAt).not.toBeNull();
    expect(await ds.getRepository(ProcessedEventEntity).countBy({ eventId })).toBe(1);
  });
}

export async function isActive(app: TestApp, basic: string, token: string): Promise<boolean> {
  const res = await app.form('/oauth2/introspect', { token }, { authorization: basic });
  return (await json(res)).active;
}
