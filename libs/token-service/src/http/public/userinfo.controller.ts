import { Controller, Get, Options, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InvalidRequestError, InvalidTokenError, OAuthError } from '@tessera/oauth-errors';
import { UserinfoService } from '../../oidc/userinfo.service';
import { allowCors, answerPreflight } from '../cors';
import { OAuthErrorFilter } from '../oauth-error.filter';

const REALM = 'tessera';

/**
 * The UserInfo endpoint (OpenID Connect Core §5.3), a protected resource under RFC 6750: the
 * token in the Authorization header or, for POST, the form body; never in the query string,
 * where it would end up in logs and histories. Browser clients may call it cross-origin.
 */
@Controller('oauth2/userinfo')
@UseFilters(OAuthErrorFilter)
export class UserinfoController {
  constructor(private readonly userinfo: UserinfoService) {}

  @Get()
  get(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.answer(req, reply, undefined);
  }

  @Post()
  post(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.answer(req, reply, req.body);
  }

  @Options()
  preflight(@Res() reply: FastifyReply) {
    answerPreflight(reply, 'GET, POST');
  }

  private async answer(req: FastifyRequest, reply: FastifyReply, body: unknown) {
    allowCors(reply);
    try {
      const token = presentedToken(req, body);
      const answer = await this.userinfo.answer(token);
      void reply.code(200).header('cache-control', 'no-store').header('pragma', 'no-cache');
      if (answer.kind === 'jwt') void reply.header('content-type', 'application/jwt').send(answer.jwt);
      else void reply.send(answer.claims);
    } catch (err) {
      throw withBearerChallenge(err);
    }
  }
}

/** RFC 6750 §2: exactly one way of presenting the token. */
function presentedToken(req: FastifyRequest, body: unknown): string {
  if (new URLSearchParams(req.url.split('?')[1] ?? '').has('access_token')) {
    throw new InvalidRequestError('Send the access token in the Authorization header (or a form body), never in the URL.');
  }
  const header = req.headers.authorization;
  const fromBody = body instanceof URLSearchParams ? body.getAll('access_token') : [];
  if (fromBody.length > 1) throw new InvalidRequestError('access_token was sent more than once.');
  if (header !== undefined && fromBody.length) throw new InvalidRequestError('Send the access token one way only (RFC 6750 §2).');
  if (header !== undefined) {
    const match = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)$/i.exec(header);
    if (!match) throw new InvalidTokenError('The Authorization header must be "Bearer <access token>".');
    return match[1];
  }
  if (fromBody.length && fromBody[0]) return fromBody[0];
  // RFC 6750 §3.1: no error code in the challenge when the request carried no token at all.
  throw Object.assign(new InvalidTokenError('An access token is required.'), { wwwAuthenticate: `Bearer realm="${REALM}"` });
}

/** RFC 6750 §3: the challenge names the error (and, for insufficient_scope, the scope needed). */
function withBearerChallenge(err: unknown): unknown {
  if (!(err instanceof OAuthError) || (err as { wwwAuthenticate?: string }).wwwAuthenticate) return err;
  if (err.code !== 'invalid_token' && err.code !== 'insufficient_scope' && err.code !== 'invalid_request') return err;
  const quoted = (v: string) => v.replace(/["\\]/g, '');
  const parts = [`realm="${REALM}"`, `error="${err.code}"`, `error_description="${quoted(err.description)}"`];
  if (err.scope) parts.push(`scope="${quoted(err.scope)}"`);
  return Object.assign(err, { wwwAuthenticate: `Bearer ${parts.join(', ')}` });
}
