/** What went wrong with one HTTP step: `unavailable` (no answer, 5xx) is what a fault may cause; `refused` (4xx, a wrong answer) never should. */
export class StepFailure extends Error {
  constructor(
    readonly step: string,
    readonly kind: 'unavailable' | 'refused',
    detail: string,
  ) {
    super(`${step}: ${detail}`);
  }
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

const TIMEOUT_MS = 15_000;

/** One request; a network error or a timeout is an `unavailable` failure of `step`. */
export async function send(step: string, url: string, init: RequestInit = {}): Promise<Answer> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'manual', ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    throw new StepFailure(step, 'unavailable', `no answer (${cause})`);
  }
  return { status: res.status, headers: res.headers, text: await res.text().catch(() => '') };
}

/** Throws the step's failure unless `answer.status` is one of `expected`. */
export function expectStatus(step: string, answer: Answer, ...expected: number[]): Answer {
  if (expected.includes(answer.status)) return answer;
  // 429 says "not now" (a password check cut short by a crash holds its account's slot for a
  // few seconds): a client waits and tries again, as for a 5xx.
  const kind = answer.status >= 500 || answer.status === 429 ? 'unavailable' : 'refused';
  throw new StepFailure(step, kind, `HTTP ${answer.status} ${answer.text.slice(0, 200)}`);
}

export function json<T = Record<string, unknown>>(step: string, answer: Answer): T {
  try {
    return JSON.parse(answer.text) as T;
  } catch {
    throw new StepFailure(step, 'refused', `not JSON: ${answer.text.slice(0, 200)}`);
  }
}

/** A browser: a cookie jar for the one origin it talks to, redirects not followed. */
export class Browser {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly origin: string) {}

  async request(step: string, pathOrUrl: string, init: RequestInit = {}): Promise<Answer> {
    const url = new URL(pathOrUrl, this.origin);
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    const answer = await send(step, url.href, { ...init, headers });
    for (const line of answer.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const [name, value] = [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
      const expired = !value || attributes.some((a) => /^\s*max-age=0\b/i.test(a));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return answer;
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  /** A JSON POST as the portal makes it, with the CSRF header. */
  post(step: string, path: string, body: unknown): Promise<Answer> {
    return this.request(step, path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': this.cookie('tessera_csrf') ?? '' },
      body: JSON.stringify(body),
    });
  }
}

/** The Location of a 302/303, resolved against `base`. */
export function redirectOf(step: string, answer: Answer, base: string): URL {
  expectStatus(step, answer, 302, 303);
  const location = answer.headers.get('location');
  if (!location) throw new StepFailure(step, 'refused', 'a redirect without Location');
  return new URL(location, base);
}

export const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

export const form = (fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});
