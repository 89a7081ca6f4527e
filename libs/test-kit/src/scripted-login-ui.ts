import type { TestBrowser } from './test-browser';

/** Calls the token service's internal API as a trusted caller (the auth-service's role). */
export interface InternalApi {
  internal(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
}

/**
 * Plays the login and consent UI through the internal challenge API, as the auth-service will:
 * reads the challenge, takes the verifier from the browser's binding cookie, accepts.
 */
export class ScriptedLoginUi {
  constructor(private readonly app: InternalApi) {}

  challengeOf(url: string, kind: 'login' | 'consent'): string {
    const value = new URL(url).searchParams.get(`${kind}_challenge`);
    if (!value) throw new Error(`${url} is not a ${kind} page`);
    return value;
  }

  async read(challenge: string) {
    const res = await this.app.internal('GET', `/internal/challenges/${encodeURIComponent(challenge)}`);
    return res;
  }

  async acceptLogin(browser: TestBrowser, loginUrl: string, login: { sub: string; remember?: boolean; authTime?: number; amr?: string[] }) {
    const challenge = this.challengeOf(loginUrl, 'login');
    const info = await this.read(challenge);
    const res = await this.app.internal('POST', `/internal/challenges/${encodeURIComponent(challenge)}/accept`, {
      verifier: browser.cookie(info.body['binding_cookie'] as string),
      sub: login.sub,
      login_session_id: `ls-${login.sub}`,
      amr: login.amr ?? ['pwd'],
      auth_time: login.authTime ?? Math.floor(Date.now() / 1000),
      remember: login.remember ?? true,
    });
    return res;
  }

  async acceptConsent(browser: TestBrowser, consentUrl: string, consent: { grantScope: string[]; remember?: boolean }) {
    const challenge = this.challengeOf(consentUrl, 'consent');
    const info = await this.read(challenge);
    return this.app.internal('POST', `/internal/challenges/${encodeURIComponent(challenge)}/accept`, {
      verifier: browser.cookie(info.body['binding_cookie'] as string),
      grant_scope: consent.grantScope,
      remember: consent.remember ?? true,
    });
  }

  async reject(browser: TestBrowser, url: string, kind: 'login' | 'consent', error = 'access_denied') {
    const challenge = this.challengeOf(url, kind);
    const info = await this.read(challenge);
    return this.app.internal('POST', `/internal/challenges/${encodeURIComponent(challenge)}/reject`, {
      verifier: browser.cookie(info.body['binding_cookie'] as string),
      error,
      error_description: 'The user said no.',
    });
  }
}
