/**
 * A minimal browser for protocol tests: a cookie jar per origin-less host and manual redirects,
 * so a test sees every hop (and can replay a hop from another "browser").
 */
export class TestBrowser {
  private readonly jar = new Map<string, string>();

  /**
   * `origins` maps a public origin (the issuer) to where the test server really listens;
   * `userAgent` is sent with every request (default: fetch's own).
   */
  constructor(
    private readonly origins: Record<string, string> = {},
    private readonly userAgent?: string,
  ) {}

  cookie(name: string): string | undefined {
    return this.jar.get(name);
  }

  setCookie(name: string, value: string) {
    this.jar.set(name, value);
  }

  async get(url: string): Promise<Response> {
    return this.request(url, { method: 'GET' });
  }

  async request(url: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.userAgent && !headers.has('user-agent')) headers.set('user-agent', this.userAgent);
    if (this.jar.size) headers.set('cookie', [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const target = Object.entries(this.origins).reduce((u, [from, to]) => (u.startsWith(from) ? to + u.slice(from.length) : u), url);
    const res = await fetch(target, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((p) => p.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const expired = attributes.some((a) => /^max-age=0$/i.test(a) || /^expires=thu, 01 jan 1970/i.test(a));
      if (expired || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return res;
  }
}

export const locationOf = (res: Response): string => {
  const location = res.headers.get('location');
  if (!location) throw new Error(`expected a redirect, got ${res.status}`);
  return location;
};
