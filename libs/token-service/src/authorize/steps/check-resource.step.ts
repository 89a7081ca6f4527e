import { Injectable } from '@nestjs/common';
import { ResourceServersService } from '../../resources/resource-servers.service';
import type { AuthorizeContext, AuthorizeStep } from '../authorize-context';

/** RFC 8707: each `resource` names a registered resource server; they become the tokens' audience. */
@Injectable()
export class CheckResourceStep implements AuthorizeStep {
  readonly name = 'resource';
  constructor(private readonly resourceServers: ResourceServersService) {}

  async run(ctx: AuthorizeContext) {
    const resources = await this.resourceServers.resolve(ctx.raw['resource'] ?? []);
    ctx.request.resource = resources.map((rs) => rs.identifier);
  }
}
