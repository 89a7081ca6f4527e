import { useQuery } from '@tanstack/react-query';
import { accountApi } from '../../api/bearer-api';

/*
 * The account API's answers (libs/auth-service/src/account, mfa, passkeys, upstream, sessions).
 * Every time is in epoch seconds.
 */

/** `GET /auth/account`. */
export interface Profile {
  sub: string;
  email: string | null;
  email_verified: boolean;
  has_password: boolean;
  claims: Record<string, unknown>;
  created_at: number;
  updated_at: number;
}

/** `GET /auth/account/mfa`. */
export interface MfaOverview {
  mfa_required: boolean;
  totp: { enrolled: boolean; enrolled_at: number | null; setup_pending: boolean };
  recovery_codes: { remaining: number; generated_at: number | null };
  email_code: { available: boolean };
}

/** `POST /auth/account/mfa/totp`. */
export interface TotpEnrollment {
  secret: string;
  otpauth_uri: string;
  /** A `data:image/png` URL of the otpauth URI. */
  qr_code: string;
}

/** `GET /auth/account/passkeys` (one of). */
export interface Passkey {
  id: string;
  name: string;
  credential_id: string;
  device_type: 'singleDevice' | 'multiDevice' | string;
  backed_up: boolean;
  transports: string[];
  aaguid: string | null;
  created_at: number;
  last_used_at: number | null;
}

/** `GET /auth/account/links`. */
export interface LinkedAccounts {
  links: Array<{ id: string; idp: { id: string; name: string; enabled: boolean }; email: string | null; created_at: number; last_used_at: number | null }>;
  available: Array<{ id: string; name: string }>;
}

/** `GET /auth/account/sessions` (one of). */
export interface SessionView {
  id: string;
  current: boolean;
  device?: string;
  user_agent: string | null;
  ip: string | null;
  amr: string[];
  auth_time: number;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  clients: Array<{ client_id: string; client_name?: string; first_used_at: number; last_used_at: number }>;
}

/** `GET /auth/account/apps` (one of): a grant at the token service. */
export interface ConnectedApp {
  id: string;
  client_id: string;
  client_name?: string;
  logo_uri?: string;
  scopes: string[];
  remembered: boolean;
  granted_at: number;
  last_used_at?: number;
}

/** Query keys: everything under `account` is this person's, dropped together. */
export const accountKeys = {
  all: ['account'] as const,
  profile: ['account', 'profile'] as const,
  mfa: ['account', 'mfa'] as const,
  passkeys: ['account', 'passkeys'] as const,
  links: ['account', 'links'] as const,
  sessions: ['account', 'sessions'] as const,
  apps: ['account', 'apps'] as const,
};

export const useProfile = () => useQuery({ queryKey: accountKeys.profile, queryFn: () => accountApi.get<Profile>('') });
export const useMfa = () => useQuery({ queryKey: accountKeys.mfa, queryFn: () => accountApi.get<MfaOverview>('/mfa') });
export const usePasskeys = () => useQuery({ queryKey: accountKeys.passkeys, queryFn: () => accountApi.get<Passkey[]>('/passkeys') });
export const useLinks = () => useQuery({ queryKey: accountKeys.links, queryFn: () => accountApi.get<LinkedAccounts>('/links') });
export const useSessions = () => useQuery({ queryKey: accountKeys.sessions, queryFn: () => accountApi.get<SessionView[]>('/sessions') });
export const useConnectedApps = () => useQuery({ queryKey: accountKeys.apps, queryFn: () => accountApi.get<ConnectedApp[]>('/apps') });
