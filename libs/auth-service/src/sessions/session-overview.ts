import { Injectable } from '@nestjs/common';
import Bowser from 'bowser';
import { TokenServiceClient, type OpSessionView } from '../token-service/token-service.client';
import { LoginSessionsService, type LoginSession } from './login-sessions.service';

/** One of a person's sessions as the account page and the admin API show it. */
export interface SessionView {
  id: string;
  current: boolean;
  /** "Firefox on Linux", from the User-Agent at sign-in; undefined when it says nothing useful. */
  device?: string;
  user_agent: string | null;
  ip: string | null;
  /** How the person authenticated (RFC 8176 values). */
  amr: string[];
  auth_time: number;
  created_at: number;
  /** The latest sign-in activity: the login session's own, or an app receiving tokens through it. */
  last_seen_at: number;
  expires_at: number;
  /** Apps that signed the person in through this session, most recently used first. */
  clients: Array<{ client_id: string; client_name?: string; first_used_at: number; last_used_at: number }>;
}

/**
 * A person's sessions with what the token service knows of them: which apps each one served and
 * when (its OP sessions, grouped by the login session they stand on).
 */
@Injectable()
export class SessionOverview {
  constructor(
    private readonly sessions: LoginSessionsService,
    private readonly tokenService: TokenServiceClient,
  ) {}

  async of(sub: string, currentSessionId?: string): Promise<SessionView[]> {
    const [sessions, opSessions] = await Promise.all([this.sessions.listOf(sub), this.tokenService.opSessionsOf(sub)]);
    return sessions.map((s) => view(s, s.id === currentSessionId, opSessions.filter((o) => o.login_session_id === s.id)));
  }
}

function view(session: LoginSession, current: boolean, opSessions: OpSessionView[]): SessionView {
  const byClient = new Map<string, SessionView['clients'][number]>();
  for (const client of opSessions.flatMap((o) => o.clients)) {
    const seen = byClient.get(client.client_id);
    byClient.set(client.client_id, {
      ...client,
      first_used_at: Math.min(client.first_used_at, seen?.first_used_at ?? Infinity),
      last_used_at: Math.max(client.last_used_at, seen?.last_used_at ?? 0),
    });
  }
  const clients = [...byClient.values()].sort((a, b) => b.last_used_at - a.last_used_at || a.client_id.localeCompare(b.client_id));
  return {
    id: session.id,
    current,
    device: describeDevice(session.userAgent),
    user_agent: session.userAgent,
    ip: session.ip,
    amr: session.amr,
    auth_time: session.authTime,
    created_at: session.createdAt,
    last_seen_at: Math.max(session.lastSeenAt, ...clients.map((c) => c.last_used_at)),
    expires_at: session.expiresAt,
    clients,
  };
}

/** "Chrome on macOS": what a person recognises their device by. */
export function describeDevice(userAgent: string | null): string | undefined {
  if (!userAgent) return undefined;
  const parsed = Bowser.parse(userAgent);
  const browser = parsed.browser.name;
  const os = parsed.os.name;
  if (browser && os) return `${browser} on ${os}`;
  return browser ?? os;
}
