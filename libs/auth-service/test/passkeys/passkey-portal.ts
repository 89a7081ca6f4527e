import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { DataSource } from 'typeorm';
import { OutboxEntity } from '@tessera/events';
import { AUTH_SERVICE_DATA_SOURCE } from '../../src/auth-service.tokens';
import { PasskeysService } from '../../src/passkeys/passkeys.service';
import type { PlatformApp } from '../support/platform-app';
import { Portal, type JsonResponse } from '../support/portal';
import type { CeremonyOverrides, SoftAuthenticator } from './soft-authenticator';

export type LoginAnswer = { redirect_to?: string; next?: string; factors?: string[]; error?: string; error_description?: string };
export type AccountCaller = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => Promise<JsonResponse<T>>;

/** Passwordless login on a login page URL, as the portal does it with navigator.credentials.get(). */
export async function loginWithPasskey(portal: Portal, loginUrl: string, authenticator: SoftAuthenticator, overrides: CeremonyOverrides = {}, remember = false) {
  const login_challenge = Portal.challengeOf(loginUrl, 'login');
  const options = await portal.post<PublicKeyCredentialRequestOptionsJSON>('/auth/login/passkey/options', { login_challenge });
  if (options.status !== 200) throw new Error(`passkey options failed: ${JSON.stringify(options.body)}`);
  const response = authenticator.get(options.body, overrides);
  const answer = await portal.post<LoginAnswer>('/auth/login/passkey', { login_challenge, response, remember });
  return { options: options.body, response, answer };
}

/** The passkey second factor on a login page URL (the browser's session is at the second-factor step). */
export async function secondFactorWithPasskey(portal: Portal, loginUrl: string, authenticator: SoftAuthenticator, overrides: CeremonyOverrides = {}) {
  const login_challenge = Portal.challengeOf(loginUrl, 'login');
  const options = await portal.post<PublicKeyCredentialRequestOptionsJSON>('/auth/login/mfa/passkey/options', { login_challenge });
  if (options.status !== 200) throw new Error(`passkey second-factor options failed: ${JSON.stringify(options.body)}`);
  const response = authenticator.get(options.body, overrides);
  const answer = await portal.post<LoginAnswer>('/auth/login/mfa/passkey', { login_challenge, response });
  return { options: options.body, response, answer };
}

/** Registers a new passkey through the account API, as the account page does with navigator.credentials.create(). */
export async function registerPasskey(account: AccountCaller, authenticator: SoftAuthenticator, name?: string, overrides: CeremonyOverrides = {}) {
  const options = await account<PublicKeyCredentialCreationOptionsJSON>('POST', '/passkeys/options', {});
  if (options.status !== 200) throw new Error(`registration options failed: ${JSON.stringify(options.body)}`);
  const response = authenticator.create(options.body, overrides);
  const registered = await account('POST', '/passkeys', { ...(name === undefined ? {} : { name }), response });
  return { options: options.body, response, registered };
}

/** Signs in to the account API with a passkey (passwordless), through the whole flow, as the portal does. */
export async function signInToAccountWithPasskey(app: PlatformApp, authenticator: SoftAuthenticator, browser = app.browser()) {
  const { client_id } = await app.client({ scope: 'openid profile email account', first_party: true });
  const portal = new Portal(app, browser);
  const { answer } = await loginWithPasskey(portal, await portal.authorize(client_id, { scope: 'openid account' }), authenticator);
  if (!answer.body.redirect_to) throw new Error(`passkey login failed: ${JSON.stringify(answer.body)}`);
  const callback = await portal.toCallback(answer.body.redirect_to);
  const tokens = await portal.redeem(client_id, callback.searchParams.get('code') as string);
  return { portal, clientId: client_id, tokens, account: accountCallerOf(app, portal, tokens['access_token'] as string) };
}

export function accountCallerOf(app: PlatformApp, portal: Portal, accessToken: string): AccountCaller {
  return async <T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<JsonResponse<T>> => {
    const res = await portal.browser.request(`${app.issuer}/auth/account${path}`, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T, headers: res.headers };
  };
}

/** A passkey stored straight into the service (a fixture), for a user who has no other way to get one. */
export async function seedPasskey(app: PlatformApp, sub: string, authenticator: SoftAuthenticator) {
  const passkeys = app.running.app.get(PasskeysService, { strict: false });
  const handle = await passkeys.userHandleFor(sub);
  const credential = authenticator.newCredential(new URL(app.issuer).hostname, handle);
  return passkeys.add(
    sub,
    handle,
    {
      credentialId: credential.id.toString('base64url'),
      publicKey: credential.cosePublicKey.toString('base64url'),
      signCount: 0,
      transports: ['usb'],
      deviceType: authenticator.synced ? 'multiDevice' : 'singleDevice',
      backedUp: authenticator.synced,
      aaguid: '00000000-0000-0000-0000-000000000000',
    },
    'Seeded key',
  );
}

/** The `mfa.changed` events the auth service wrote to its outbox for a user. */
export async function mfaChangesOf(app: PlatformApp, sub: string): Promise<Array<Record<string, unknown>>> {
  const dataSource = app.running.app.get<DataSource>(AUTH_SERVICE_DATA_SOURCE, { strict: false });
  const rows = await dataSource.manager.find(OutboxEntity, { where: { name: 'mfa.changed' }, order: { occurredAt: 'ASC' } });
  return rows.map((r) => JSON.parse(r.payload) as Record<string, unknown>).filter((p) => p['sub'] === sub);
}
