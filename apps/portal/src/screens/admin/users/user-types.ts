/** A user as the admin API shows one (never a password hash). Times are epoch seconds. */
export interface UserView {
  sub: string;
  email: string;
  email_verified: boolean;
  status: UserStatus;
  roles: string[];
  has_password: boolean;
  claims: Record<string, unknown>;
  created_at: number;
  updated_at: number;
}

export type UserStatus = 'active' | 'locked' | 'disabled';
export const USER_STATUSES: readonly UserStatus[] = ['active', 'locked', 'disabled'];

/** One of a user's sign-in sessions, with the apps it signed them in to. Times are epoch seconds. */
export interface UserSessionView {
  id: string;
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

export const ADMIN_ROLE = 'admin';

export const userKey = (sub: string) => ['admin', 'user', sub] as const;
export const sessionsKey = (sub: string) => ['admin', 'user', sub, 'sessions'] as const;
