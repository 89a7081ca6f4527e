import { OutboxEntity, type EventName, type EventOf } from '@tessera/events';
import { locationOf, type TestBrowser } from '@tessera/test-kit';
import { dataSourceOf } from '../events/events.fixture';
import { callbackOf, isInteraction, type Json, type Oidc, type OidcClient } from '../oidc/support';

/** A post_logout_redirect_uri of the test clients (https, as a web client registers). */
export const SIGNED_OUT = 'https://rp.example.com/signed-out';

/** The end_session_endpoint as a browser reaches it: at the issuer's origin. */
export const logoutUrl = (oidc: Oidc, params: Record<string, string> = {}) => `${oidc.app.issuer}/oauth2/logout?${new URLSearchParams(params)}`;

/**
 * Signs `sub` in to `client` in `browser` (login when asked, on the given login session, and
 * consent when asked), redeems the code and returns the ID token.
 */
export async function signIn(oidc: Oidc, browser: TestBrowser, client: OidcClient, sub: string, loginSessionId = `ls-${sub}`): Promise<string> {
  let res = await oidc.authorize(browser, client);
  if (isInteraction(res, 'login')) {
    const accepted = await oidc.acceptLoginRaw(browser, locationOf(res), {
      sub,
      login_session_id: loginSessionId,
      amr: ['pwd'],
      auth_time: oidc.now(),
      remember: true,
    });
    if (accepted.status !== 200) throw new Error(`login accept failed: ${JSON.stringify(accepted.body)}`);
    res = await browser.get(accepted.body['redirect_to'] as string);
  }
  if (isInteraction(res, 'consent')) res = await oidc.consent(browser, locationOf(res));
  const code = callbackOf(res).params['code'];
  if (!code) throw new Error(`no code: ${JSON.stringify(callbackOf(res).params)}`);
  const tokens = await oidc.redeem(client, code);
  if (!tokens.id_token) throw new Error('no id_token');
  return tokens.id_token;
}

/** The authorization response to prompt=none: a code while the OP session lives, else login_required. */
export async function silently(oidc: Oidc, browser: TestBrowser, client: OidcClient): Promise<Record<string, string>> {
  return callbackOf(await oidc.authorize(browser, client, { prompt: 'none' })).params;
}

/** The payloads of the `name` events in the token service's outbox that match `filter`. */
export async function emitted<N extends EventName>(oidc: Oidc, name: N, filter: Partial<EventOf<N>>): Promise<EventOf<N>[]> {
  const rows = await dataSourceOf(oidc.app).getRepository(OutboxEntity).findBy({ name });
  return rows
    .map((row) => JSON.parse(row.payload) as EventOf<N>)
    .filter((payload) => Object.entries(filter).every(([k, v]) => (payload as Json)[k] === v));
}

/** The one-time confirmation value of a logout confirmation page. */
export function confirmationValue(html: string): string {
  const match = /name="logout_confirmation" value="([^"]+)"/.exec(html);
  if (!match) throw new Error(`not a confirmation page: ${html}`);
  return match[1];
}

/** The `src` of every iframe of a page, entities decoded. */
export const iframeSources = (html: string) => [...html.matchAll(/<iframe src="([^"]*)"/g)].map((m) => decodeEntities(m[1]));

/** The target of a page's meta refresh, entities decoded. */
export function metaRefresh(html: string): string | undefined {
  const match = /<meta http-equiv="refresh" content="\d+;url=([^"]*)">/.exec(html);
  return match ? decodeEntities(match[1]) : undefined;
}

const decodeEntities = (s: string) =>
  s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** POSTs a form as the browser does (its cookies), to the logout endpoint. */
export const postLogout = (oidc: Oidc, browser: TestBrowser, form: Record<string, string>) =>
  browser.request(`${oidc.app.issuer}/oauth2/logout`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });

/** The headers every logout page carries: no framing, no referrer, no script, never cached. */
export function expectPageHeaders(res: Response) {
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("default-src 'none'");
  expect(csp).not.toMatch(/script-src/);
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(res.headers.get('cache-control')).toBe('no-store');
}
