import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-custom';
import { FlowError } from '../http/flow-error';
import { LoginSessionsService } from '../sessions/login-sessions.service';
import { UsersService } from '../users/users.service';
import { STRATEGY, type Authentication } from './authentication';

/** The browser's existing login session (single sign-on): who signed in here, and how. */
@Injectable()
export class LoginSessionStrategy extends PassportStrategy(Strategy, STRATEGY.loginSession) {
  constructor(
    private readonly sessions: LoginSessionsService,
    private readonly users: UsersService,
  ) {
    super();
  }

  async validate(req: FastifyRequest): Promise<Authentication> {
    const session = await this.sessions.authenticated(req);
    const user = session && (await this.users.find(session.sub));
    if (!session || !user) throw new FlowError('login_required', 'There is no sign-in in this browser; sign in first.');
    return { user, amr: session.amr };
  }
}
