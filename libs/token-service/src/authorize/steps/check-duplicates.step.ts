import { Injectable } from '@nestjs/common';
import { InvalidRequestError } from '@tessera/oauth-errors';
import type { AuthorizeContext, AuthorizeStep } from '../authorize-context';

/** RFC 8707 resource indicators may repeat; any other repeated parameter is invalid_request. */
const REPEATABLE = new Set(['resource']);

@Injectable()
export class CheckDuplicatesStep implements AuthorizeStep {
  readonly name = 'duplicates';

  run(ctx: AuthorizeContext) {
    // state is echoed even in this error, when it was sent once.
    if (ctx.raw['state']?.length === 1) ctx.state = ctx.raw['state'][0];
    for (const [name, values] of Object.entries(ctx.raw)) {
      if (values.length > 1 && !REPEATABLE.has(name)) throw new InvalidRequestError(`Parameter "${name}" was sent more than once.`);
    }
  }
}
