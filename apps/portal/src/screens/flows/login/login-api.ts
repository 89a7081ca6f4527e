import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import { isApiError } from '../../../api/api-error';
import { flowApi } from '../../../api/flow-api';

/** `GET /auth/login`: what the login page shows (libs/auth-service/src/flows/login.controller.ts). */
export interface LoginView {
  login_challenge: string;
  client?: { client_id: string; client_name?: string; client_uri?: string; logo_uri?: string; policy_uri?: string; tos_uri?: string; first_party?: boolean };
  requested_scope: string[];
  login_hint?: string;
  prompt?: string[];
  max_age?: number;
  ui_locales?: string[];
  /** Who is signed in in this browser already, if anyone. */
  session: { sub: string; email?: string | null; name?: string; auth_time?: number } | null;
  /** That session may answer this request without a new sign-in. */
  can_continue: boolean;
  /** A sign-in half done here (an upstream provider was the first factor): the factors that can finish it. */
  second_factors?: string[];
  methods: LoginMethod[];
  signup_enabled: boolean;
}

export interface LoginMethod {
  type: 'password' | 'passkey' | 'upstream' | string;
  id?: string;
  name?: string;
  start_url?: string;
}

/** Every login step answers where to go: back to the token service, or on to a second factor. */
export type LoginStep = { redirect_to: string } | { next: 'second_factor'; factors: string[] };

/** `GET /auth/upstream/link`: an upstream account waiting to be linked to the local one it matched. */
export interface PendingLink {
  idp: { id: string; name: string };
  email: string | null;
  expires_at: number;
}

const withChallenge = (login_challenge: string, body: Record<string, unknown> = {}) => ({ login_challenge, ...body });

export const loginApi = {
  view: (challenge: string) => flowApi.get<LoginView>('/auth/login', { login_challenge: challenge }),
  password: (challenge: string, email: string, password: string, remember: boolean) =>
    flowApi.post<LoginStep>('/auth/login/password', withChallenge(challenge, { email, password, remember })),
  continueAs: (challenge: string) => flowApi.post<LoginStep>('/auth/login/continue', withChallenge(challenge)),
  reject: (challenge: string) => flowApi.post<{ redirect_to: string }>('/auth/login/reject', withChallenge(challenge)),
  passkeyOptions: (challenge: string) => flowApi.post<PublicKeyCredentialRequestOptionsJSON>('/auth/login/passkey/options', withChallenge(challenge)),
  passkey: (challenge: string, response: AuthenticationResponseJSON, remember: boolean) =>
    flowApi.post<LoginStep>('/auth/login/passkey', withChallenge(challenge, { response, remember })),
  totp: (challenge: string, code: string) => flowApi.post<LoginStep>('/auth/login/mfa/totp', withChallenge(challenge, { code })),
  recoveryCode: (challenge: string, code: string) => flowApi.post<LoginStep>('/auth/login/mfa/recovery-code', withChallenge(challenge, { code })),
  sendEmailCode: (challenge: string) => flowApi.post<{ sent_to: string; expires_in: number }>('/auth/login/mfa/email-code/send', withChallenge(challenge)),
  emailCode: (challenge: string, code: string) => flowApi.post<LoginStep>('/auth/login/mfa/email-code', withChallenge(challenge, { code })),
  mfaPasskeyOptions: (challenge: string) => flowApi.post<PublicKeyCredentialRequestOptionsJSON>('/auth/login/mfa/passkey/options', withChallenge(challenge)),
  mfaPasskey: (challenge: string, response: AuthenticationResponseJSON) => flowApi.post<LoginStep>('/auth/login/mfa/passkey', withChallenge(challenge, { response })),
  pendingLink: () => flowApi.get<PendingLink>('/auth/upstream/link'),
  confirmLink: () => flowApi.post<unknown>('/auth/upstream/link/confirm'),
  cancelLink: () => flowApi.post<void>('/auth/upstream/link/cancel'),
};

/** The challenge is gone (expired, used, or not a login challenge): the sign-in must start over at the app. */
export const isDeadChallenge = (error: unknown) => isApiError(error, 'not_found');

/** The second factors the login page knows how to ask for, in the order it offers them. */
export const KNOWN_FACTORS = ['totp', 'passkey', 'email_code', 'recovery_code'] as const;
export type Factor = (typeof KNOWN_FACTORS)[number];
