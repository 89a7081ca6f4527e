import { generate } from 'otplib';
import type { DataSource } from 'typeorm';
import { OutboxEntity } from '@tessera/events';
import { AUTH_SERVICE_DATA_SOURCE } from '../../src/auth-service.tokens';
import { MailRequests } from '../../src/mail/mail-requests';
import type { PlatformApp } from '../support/platform-app';
import { Portal, type JsonResponse } from '../support/portal';

export const ACR_MFA = 'urn:tessera:acr:mfa';

/** The auth-service's own database, to look at what it stored. */
export const authDataSource = (app: PlatformApp): DataSource => app.running.app.get<DataSource>(AUTH_SERVICE_DATA_SOURCE, { strict: false });

/** The events the auth-service wrote to its outbox under one name, oldest first. */
export async function outboxEvents(app: PlatformApp, name: string): Promise<Array<Record<string, unknown>>> {
  const rows = await authDataSource(app).manager.find(OutboxEntity, { where: { name }, order: { occurredAt: 'ASC' } });
  return rows.map((r) => JSON.parse(r.payload) as Record<string, unknown>);
}

/** The newest code mailed to an address (what the mail template receives as `params.code`). */
export async function lastMailedCode(app: PlatformApp, to: string): Promise<string> {
  const mails = (await outboxEvents(app, 'mail.requested')).filter((m) => m['to'] === to && m['template'] === 'mfa-email-code');
  const last = mails.at(-1);
  if (!last) throw new Error(`no code was mailed to ${to}`);
  // The code travels sealed in the event; open it as the mail consumer does.
  const params = await app.running.app.get(MailRequests, { strict: false }).open(last as never);
  return params['code'] as string;
}

/** The code an authenticator app shows at that instant (epoch milliseconds, as the app's clock). */
export const totpCode = (secret: string, nowMs: number) => generate({ secret, epoch: Math.floor(nowMs / 1000) });

type AccountCall = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => Promise<JsonResponse<T>>;

/** Sets up an authenticator app through the account API; returns its secret. */
export async function enrollTotp(account: AccountCall, nowMs: number): Promise<string> {
  const started = await account<{ secret: string }>('POST', '/mfa/totp');
  if (started.status !== 200) throw new Error(`enrollment failed: ${JSON.stringify(started.body)}`);
  const confirmed = await account('POST', '/mfa/totp/confirm', { code: await totpCode(started.body.secret, nowMs) });
  if (confirmed.status !== 200) throw new Error(`confirmation failed: ${JSON.stringify(confirmed.body)}`);
  return started.body.secret;
}

/** A second-factor step of the login flow on a login page URL. */
export function secondFactor(portal: Portal, path: 'totp' | 'recovery-code' | 'email-code' | 'email-code/send', loginUrl: string, code?: string) {
  return portal.post<{ redirect_to?: string; next?: string; error?: string; attempts_remaining?: number; sent_to?: string; expires_in?: number }>(`/auth/login/mfa/${path}`, {
    login_challenge: Portal.challengeOf(loginUrl, 'login'),
    ...(code === undefined ? {} : { code }),
  });
}
