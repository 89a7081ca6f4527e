import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AccountGuard, type AccountRequest } from '../account/account.guard';
import { RecentAuthentication } from '../account/recent-authentication';
import { FlowError } from '../http/flow-error';
import { FlowErrorFilter } from '../http/flow-error.filter';
import { noStore } from '../http/no-store';
import { UsersService } from '../users/users.service';
import { PasskeyChallenges } from './passkey-challenges';
import { challengeOf, knownTransports, parseRegistrationResponse } from './passkey-responses';
import type { PasskeyEntity } from './passkey.entity';
import { passkeyName, PasskeysService } from './passkeys.service';
import { RelyingParty } from './relying-party';

type Body = Record<string, unknown> | undefined;

/** What the account page shows of a passkey (never its key or handle). */
const view = (p: PasskeyEntity) => ({
  id: p.id,
  name: p.name,
  credential_id: p.credentialId,
  device_type: p.deviceType,
  backed_up: p.backedUp,
  transports: p.transports,
  aaguid: p.aaguid,
  created_at: p.createdAt,
  last_used_at: p.lastUsedAt,
});

/**
 * The account's passkeys:
 *   GET    /auth/account/passkeys            the list
 *   POST   /auth/account/passkeys/options    { current_password? }: options for navigator.credentials.create()
 *   POST   /auth/account/passkeys            { name, response }: registers the new passkey
 *   PATCH  /auth/account/passkeys/:id        { name }
 *   DELETE /auth/account/passkeys/:id        { current_password? }: never the last way to sign in
 * Adding and removing a passkey need a recent sign-in (or the current password): a new
 * passkey is a new way into the account, so a stolen access token alone must not add one.
 */
@Controller('auth/account/passkeys')
@UseGuards(AccountGuard)
@UseFilters(FlowErrorFilter)
export class PasskeysAccountController {
  constructor(
    private readonly passkeys: PasskeysService,
    private readonly challenges: PasskeyChallenges,
    private readonly rp: RelyingParty,
    private readonly users: UsersService,
    private readonly recent: RecentAuthentication,
  ) {}

  @Get()
  async list(@Req() req: AccountRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    return (await this.passkeys.listOf(req.account.sub)).map(view);
  }

  @Post('options')
  @HttpCode(200)
  async registrationOptions(@Body() body: Body, @Req() req: AccountRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    const sub = req.account.sub;
    await this.recent.require(req, sub, objectOf(body)['current_password']);
    const user = await this.users.require(sub);
    const userHandle = await this.passkeys.userHandleFor(sub);
    const issued = await this.challenges.issue(req, reply, 'registration', { sub, userHandle });
    const name = typeof user.claims['name'] === 'string' ? user.claims['name'] : undefined;
    return this.rp.registrationOptions({
      challenge: issued,
      userHandle,
      userName: user.email ?? sub,
      displayName: name ?? user.email ?? sub,
      exclude: await this.passkeys.listOf(sub),
    });
  }

  @Post()
  @HttpCode(201)
  async register(@Body() body: Body, @Req() req: AccountRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    const input = objectOf(body);
    const name = passkeyName(input['name'], 'Passkey');
    if (input['response'] === undefined) throw new FlowError('invalid_request', 'response is required.');
    const response = parseRegistrationResponse(input['response']);
    const challenge = challengeOf(response);
    const consumed = await this.challenges.consume(req, challenge, 'registration', { sub: req.account.sub });
    if (!consumed.userHandle) throw new Error('registration challenge without a user handle');
    const credential = await this.rp.verifyRegistration(response, challenge);
    credential.transports = knownTransports(response.response.transports ?? credential.transports);
    return view(await this.passkeys.add(req.account.sub, consumed.userHandle, credential, name));
  }

  @Patch(':id')
  async rename(@Param('id') id: string, @Body() body: Body, @Req() req: AccountRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    return view(await this.passkeys.rename(req.account.sub, id, passkeyName(objectOf(body)['name'])));
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') id: string, @Body() body: Body, @Req() req: AccountRequest) {
    await this.recent.require(req, req.account.sub, objectOf(body)['current_password']);
    await this.passkeys.remove(req.account.sub, id);
  }
}

function objectOf(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new FlowError('invalid_request', 'The body must be a JSON object.');
  return body as Record<string, unknown>;
}
