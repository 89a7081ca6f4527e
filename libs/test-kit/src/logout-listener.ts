import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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
