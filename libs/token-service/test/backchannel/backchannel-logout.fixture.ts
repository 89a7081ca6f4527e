import type { DataSource } from 'typeorm';
import { Outbox, inTransaction, type EventEnvelope, type EventOf } from '@tessera/events';
import { eventually } from '@tessera/test-kit';
import { TOKEN_SERVICE_DATA_SOURCE } from '../../src/adapters/typeorm/data-source';
import type { TestApp } from '../support/token-service-app';

export { answer, neverAnswer, startLogoutListener, type ListenerAnswer, type LogoutListener, type ReceivedLogout } from '@tessera/test-kit';

export const dataSourceOf = (app: TestApp) => app.running.app.get<DataSource>(TOKEN_SERVICE_DATA_SOURCE);

/** Emits `logout.backchannel.requested` as a producer does: through the outbox, in a transaction. */
export function requestBackchannelLogout(
  app: TestApp,
  payload: EventOf<'logout.backchannel.requested'>,
): Promise<EventEnvelope<'logout.backchannel.requested'>> {
  const outbox = app.running.app.get(Outbox);
  return inTransaction(dataSourceOf(app), (manager) => outbox.add(manager, 'logout.backchannel.requested', payload));
}

export interface DeliveryView {
  event_id: string;
  client_id: string;
  sub: string;
  sid?: string;
  status: 'delivered' | 'retrying' | 'failed';
  attempts: number;
  last_error?: string;
  created_at: number;
  updated_at: number;
}

/** The deliveries the internal API lists for a query (`client_id=…&status=…`). */
export async function deliveries(app: TestApp, query: Record<string, string> = {}): Promise<DeliveryView[]> {
  const res = await app.internal('GET', `/internal/backchannel-deliveries?${new URLSearchParams(query)}`);
  if (res.status !== 200) throw new Error(`listing deliveries failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as unknown as DeliveryView[];
}

/** Waits until the event's delivery reaches `status`, as the internal API shows it. */
export function deliveryReaches(app: TestApp, clientId: string, eventId: string, status: DeliveryView['status']): Promise<DeliveryView> {
  return eventually(
    async () => {
      const found = (await deliveries(app, { client_id: clientId })).find((d) => d.event_id === eventId);
      expect(found?.status).toBe(status);
      return found as DeliveryView;
    },
    { timeoutMs: 20_000, intervalMs: 20 },
  );
}
