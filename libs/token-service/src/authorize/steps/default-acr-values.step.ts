import { Injectable } from '@nestjs/common';
import { ACR_MFA } from '../../oidc/acr';
import type { AuthorizeContext, AuthorizeStep } from '../authorize-context';

/**
 * OpenID Connect Registration §2 `default_acr_values`: a request that names no acr (neither
 * `acr_values` nor an acr claim, which override the default) asks for the client's registered
 * ones. Applied to every request of the client, with or without `openid`: it is the client's
 * policy (an administrator requiring MFA), which leaving out a scope must not get around. The
 * login challenge carries the result to the authentication service; an OP session of a lower
 * class then needs a new login (step-up).
 *
 * A client whose administrator set `mfa_policy: required` always asks for MFA, whatever the
 * request says: the request cannot lower the client's policy.
 */
@Injectable()
export class DefaultAcrValuesStep implements AuthorizeStep {
  readonly name = 'default_acr_values';

  run(ctx: AuthorizeContext) {
    const client = ctx.client;
    if (!client) throw new Error('check-client must run first');
    if (client.mfaPolicy === 'required') {
      ctx.request.acrValues = [ACR_MFA];
      return;
    }
    if (ctx.request.acrValues?.length || !client.defaultAcrValues?.length) return;
    ctx.request.acrValues = [...client.defaultAcrValues];
  }
}
