import { Controller, Delete, Get, Inject, Param, Post, Put, Req, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessDeniedError, InvalidClientMetadataError, InvalidTokenError } from '@tessera/oauth-errors';
import { safeEqual, storageKey, verifySecret } from '@tessera/token-formats';
import type { Client } from '../../clients/client';
import { clientMetadataView } from '../../clients/client-metadata';
import { ClientsService, type IssuedCredentials } from '../../clients/clients.service';
import { InitialAccessTokensService, type RegistrationAuthority } from '../../clients/initial-access-tokens.service';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../../config/token-service-config';
import { OAuthErrorFilter } from '../oauth-error.filter';
import { endpointUrl } from './endpoints';

/**
 * Dynamic client registration (RFC 7591) and its management protocol (RFC 7592), governed by
 * TESSERA_REGISTRATION: `open`, `token` (an initial access token is required) or `off`.
 */
@Controller('oauth2/register')
@UseFilters(OAuthErrorFilter)
export class RegisterController {
  constructor(
    private readonly clients: ClientsService,
    private readonly initialAccessTokens: InitialAccessTokensService,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
  ) {}

  @Post()
  async register(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const authority = await this.authorizeRegistration(req);
    requireJson(req);
    // A token an administrator created may narrow the scopes its clients can register.
    const scopes = authority?.kind === 'initial_access_token' ? authority.token.scopes : undefined;
    const { client, ...credentials } = await this.clients.create(req.body, 'dynamic', scopes ? { registrationScopes: scopes } : {});
    if (authority?.kind === 'initial_access_token') await this.initialAccessTokens.recordUse(authority.token);
    void reply.code(201).header('cache-control', 'no-store').send(this.view(client, credentials));
  }

  @Get(':clientId')
  async read(@Param('clientId') clientId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const client = await this.authorizeManagement(clientId, req);
    // RFC 7592 §3: the response carries the registration access token (REQUIRED); it is only
    // stored hashed, so the one just verified is the one to return.
    void reply.code(200).header('cache-control', 'no-store').send(this.view(client, { registrationAccessToken: bearer(req) }));
  }

  @Put(':clientId')
  async update(@Param('clientId') clientId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const existing = await this.authorizeManagement(clientId, req);
    requireJson(req);
    const body = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new InvalidClientMetadataError('The request body must be a JSON object of client metadata.');
    }
    // RFC 7592 §2.2: the body names the client, and a client_secret in it must be the current one.
    const metadata = body as Record<string, unknown>;
    if (metadata['client_id'] !== clientId) throw new InvalidClientMetadataError('client_id in the body must match the client being updated.');
    const secret = metadata['client_secret'];
    if (secret !== undefined && !(typeof secret === 'string' && existing.secretHash && verifySecret(secret, existing.secretHash))) {
      throw new InvalidClientMetadataError('client_secret does not match the current secret.');
    }
    const { client, ...credentials } = await this.clients.update(clientId, metadata, 'dynamic');
    void reply.code(200).header('cache-control', 'no-store').send(this.view(client, { registrationAccessToken: bearer(req), ...credentials }));
  }

  @Delete(':clientId')
  async remove(@Param('clientId') clientId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    await this.authorizeManagement(clientId, req);
    await this.clients.delete(clientId);
    void reply.code(204).header('cache-control', 'no-store').send();
  }

  private view(client: Client, credentials: IssuedCredentials) {
    return {
      ...clientMetadataView(client),
      ...(credentials.clientSecret ? { client_secret: credentials.clientSecret } : {}),
      ...(credentials.registrationAccessToken ? { registration_access_token: credentials.registrationAccessToken } : {}),
      registration_client_uri: `${endpointUrl(this.config.issuer, 'register')}/${encodeURIComponent(client.clientId)}`,
    };
  }

  private async authorizeRegistration(req: FastifyRequest): Promise<RegistrationAuthority | undefined> {
    if (this.config.registration === 'off') {
      throw new AccessDeniedError('Dynamic client registration is turned off on this server.');
    }
    if (this.config.registration === 'open') return undefined;
    const token = bearer(req);
    const authority = token ? await this.initialAccessTokens.authority(token) : undefined;
    if (!authority) {
      throw withBearerChallenge(new InvalidTokenError('A valid initial access token is required to register a client (RFC 7591 §3).'), token !== undefined);
    }
    return authority;
  }

  /** RFC 7592 §2: a wrong token and an unknown client get the same 401, revealing nothing. */
  private async authorizeManagement(clientId: string, req: FastifyRequest): Promise<Client> {
    const token = bearer(req);
    const client = await this.clients.find(clientId);
    if (!token || !client?.registrationAccessTokenHash || !safeEqual(storageKey(token), client.registrationAccessTokenHash)) {
      throw withBearerChallenge(new InvalidTokenError('A valid registration access token for this client is required.'), token !== undefined);
    }
    return this.clients.get(clientId);
  }
}

function bearer(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
}

function requireJson(req: FastifyRequest) {
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
    throw new InvalidClientMetadataError('Send the client metadata as application/json.');
  }
}

/** RFC 6750 §3.1: the `error` attribute only when a token was presented and refused. */
function withBearerChallenge<E extends Error>(err: E, tokenSent: boolean): E {
  (err as E & { wwwAuthenticate?: string }).wwwAuthenticate = tokenSent ? 'Bearer realm="tessera", error="invalid_token"' : 'Bearer realm="tessera"';
  return err;
}
