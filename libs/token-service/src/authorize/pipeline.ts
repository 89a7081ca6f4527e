import { Injectable } from '@nestjs/common';
import type { Client } from '../clients/client';
import type { AuthorizationRequest } from './authorization-request';
import type { AuthorizeContext, AuthorizeStep } from './authorize-context';
import { CheckClientStep } from './steps/check-client.step';
import { CheckDuplicatesStep } from './steps/check-duplicates.step';
import { CheckOpenIdStep } from './steps/check-openid.step';
import { CheckPkceStep } from './steps/check-pkce.step';
import { CheckPromptStep } from './steps/check-prompt.step';
import { CheckRedirectUriStep } from './steps/check-redirect-uri.step';
import { CheckRequestObjectStep } from './steps/check-request-object.step';
import { CheckResourceStep } from './steps/check-resource.step';
import { CheckResponseModeStep } from './steps/check-response-mode.step';
import { CheckResponseTypeStep } from './steps/check-response-type.step';
import { CheckScopeStep } from './steps/check-scope.step';
import { DefaultAcrValuesStep } from './steps/default-acr-values.step';

export const AUTHORIZE_STEPS = [
  CheckClientStep,
  CheckRequestObjectStep,
  CheckRedirectUriStep,
  CheckResponseModeStep,
  CheckDuplicatesStep,
  CheckResponseTypeStep,
  CheckScopeStep,
  CheckPkceStep,
  CheckResourceStep,
  CheckPromptStep,
  CheckOpenIdStep,
  DefaultAcrValuesStep,
];

/**
 * The authorization request's checks in order (panva's authorization/index.js): the client and
 * its redirect URI first, so that every later error can be sent back to the client.
 */
@Injectable()
export class AuthorizePipeline {
  private readonly steps: AuthorizeStep[];

  constructor(
    client: CheckClientStep,
    redirectUri: CheckRedirectUriStep,
    responseMode: CheckResponseModeStep,
    duplicates: CheckDuplicatesStep,
    requestObject: CheckRequestObjectStep,
    responseType: CheckResponseTypeStep,
    scope: CheckScopeStep,
    pkce: CheckPkceStep,
    resource: CheckResourceStep,
    prompt: CheckPromptStep,
    openid: CheckOpenIdStep,
    defaultAcr: DefaultAcrValuesStep,
  ) {
    this.steps = [client, requestObject, redirectUri, responseMode, duplicates, responseType, scope, pkce, resource, prompt, openid, defaultAcr];
  }

  /** Runs every check; `ctx` tells the caller how far it got when a check throws. */
  async run(ctx: AuthorizeContext): Promise<{ request: AuthorizationRequest; client: Client }> {
    for (const step of this.steps) await step.run(ctx);
    return { request: ctx.request as AuthorizationRequest, client: ctx.client as Client };
  }
}

/** A context for the parameters of an authorization request (`pushed`: arriving at /oauth2/par). */
export function newContext(params: URLSearchParams, pushed = false): AuthorizeContext {
  const raw: Record<string, string[]> = Object.create(null);
  for (const [key, value] of params) {
    // RFC 6749 §3.1: a parameter without a value is treated as omitted.
    if (value !== '') (raw[key] ??= []).push(value);
  }
  return { raw, responseMode: 'query', request: {}, pushed };
}
