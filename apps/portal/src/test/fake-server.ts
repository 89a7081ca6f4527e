/**
 * A fake of the platform's HTTP APIs for component tests: routes answer with JSON, and every
 * request is recorded (method, path, query, body, headers) so a test can assert what the screen
 * sent. Installed as the page's fetch; the real API layer runs unchanged on top of it.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: Headers;
}

export type Reply = { status?: number; body?: unknown; headers?: Record<string, string> } | ((request: RecordedRequest) => { status?: number; body?: unknown; headers?: Record<string, string> });

export class FakeServer {
  readonly requests: RecordedRequest[] = [];
  private readonly routes = new Map<string, Reply[]>();

  /** Answer `METHOD /path` (query ignored); several replies are used in turn, the last one repeats. */
  on(route: string, ...replies: Reply[]): this {
    this.routes.set(route, replies);
    return this;
  }

  /** The requests sent to `METHOD /path`. */
  sent(route: string): RecordedRequest[] {
    const [method, path] = route.split(' ');
    return this.requests.filter((r) => r.method === method && r.path === path);
  }

  install(): this {
    const fetchImpl = async (input: RequestInfo | URL, init: RequestInit = {}) => {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, window.location.origin);
      const method = (init.method ?? 'GET').toUpperCase();
      const text = typeof init.body === 'string' ? init.body : init.body instanceof URLSearchParams ? init.body.toString() : undefined;
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      const request: RecordedRequest = { method, path: url.pathname, query: url.searchParams, body, headers: new Headers(init.headers) };
      this.requests.push(request);
      const replies = this.routes.get(`${method} ${url.pathname}`);
      if (!replies?.length) return new Response(JSON.stringify({ error: 'not_found', error_description: `No fake route for ${method} ${url.pathname}` }), { status: 404 });
      const next = (replies.length > 1 ? replies.shift() : replies[0]) as Reply;
      const reply = typeof next === 'function' ? next(request) : next;
      const status = reply.status ?? 200;
      return new Response(status === 204 || reply.body === undefined ? null : JSON.stringify(reply.body), {
        status,
        headers: { 'content-type': 'application/json', ...reply.headers },
      });
    };
    window.fetch = fetchImpl as typeof fetch;
    globalThis.fetch = fetchImpl as typeof fetch;
    return this;
  }
}
