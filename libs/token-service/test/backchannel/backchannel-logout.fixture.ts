import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { Outbox, inTransaction, type EventEnvelope, type EventOf } from '@tessera/events';
import { eventually } from '@tessera/test-kit';
import { TOKEN_SERVICE_DATA_SOURCE } from '../../src/adapters/typeorm/data-source';
import type { TestApp } from '../support/token-service-app';

/** A POST as a client's back-channel logout endpoint received it. */
export interface ReceivedLogout {
  path: string;
  contentType?: string;
  /** The `logout_token` form parameter. */
  logoutToken?: string;
  /** Every form parameter. */
  form: Record<string, string>;
}

export type ListenerAnswer = (received: ReceivedLogout, res: ServerResponse, call: number) => void | Promise<void>;

/** A relying party's back-channel logout endpoints on a loopback port, over plain HTTP. */
export interface LogoutListener {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** What each path received, in order. */
  received(path: string): ReceivedLogout[];
  /** Every logout token received so far, on any path. */
  allTokens(): string[];
  /** How a path answers (default: 200). */
  route(path: string, answer: ListenerAnswer): void;
  close(): Promise<void>;
}

export const answer = (status: number, body?: object) => (_r: ReceivedLogout, res: ServerResponse) => {
  res.writeHead(status, body ? { 'content-type': 'application/json' } : {}).end(body ? JSON.stringify(body) : undefined);
};

/** Keeps the request open and never answers (the service's deadline ends it). */
export const neverAnswer: ListenerAnswer = () => undefined;

export async function startLogoutListener(): Promise<LogoutListener> {
  const byPath = new Map<string, ReceivedLogout[]>();
  const routes = new Map<string, ListenerAnswer>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://listener').pathname;
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      const received: ReceivedLogout = { path, contentType: req.headers['content-type'], logoutToken: form['logout_token'], form };
      const list = byPath.get(path) ?? [];
      list.push(received);
      byPath.set(path, list);
      const route = routes.get(path) ?? answer(200);
      Promise.resolve(route(received, res, list.length)).catch(() => res.writeHead(500).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received: (path) => byPath.get(path) ?? [],
    allTokens: () => [...byPath.values()].flat().flatMap((r) => (r.logoutToken ? [r.logoutToken] : [])),
    route: (path, handler) => void routes.set(path, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

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
