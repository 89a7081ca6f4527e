import { Injectable } from '@nestjs/common';
import { InvalidRequestError } from '@tessera/oauth-errors';
import { param, type AuthorizeContext, type AuthorizeStep } from '../authorize-context';

const PROMPTS = new Set(['none', 'login', 'consent', 'select_account']);

/**
 * The interaction hints (OIDC Core §3.1.2.1): prompt, max_age, acr_values, login_hint,
 * ui_locales, plus state and nonce carried through unchanged.
 */
@Injectable()
export class CheckPromptStep implements AuthorizeStep {
  readonly name = 'prompt';

  run(ctx: AuthorizeContext) {
    const prompt = (param(ctx, 'prompt') ?? '').split(' ').filter(Boolean);
    const unknown = prompt.filter((p) => !PROMPTS.has(p));
    if (unknown.length) throw new InvalidRequestError(`prompt value "${unknown[0]}" is not supported.`);
    if (prompt.includes('none') && prompt.length > 1) throw new InvalidRequestError('prompt=none cannot be combined with other values.');
    const maxAge = param(ctx, 'max_age');
    if (maxAge !== undefined && !/^\d{1,9}$/.test(maxAge)) throw new InvalidRequestError('max_age must be a whole number of seconds.');
    const split = (name: string) => param(ctx, name)?.split(' ').filter(Boolean);
    Object.assign(ctx.request, {
      prompt,
      maxAge: maxAge === undefined ? undefined : Number(maxAge),
      acrValues: split('acr_values'),
      loginHint: param(ctx, 'login_hint'),
      uiLocales: split('ui_locales'),
      state: param(ctx, 'state'),
      nonce: param(ctx, 'nonce'),
    });
  }
}
