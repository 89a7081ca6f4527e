import { UpstreamAuthRequestEntity } from './upstream-auth-request.entity';
import { UpstreamIdpEntity } from './upstream-idp.entity';
import { UpstreamLinkEntity } from './upstream-link.entity';
import { UpstreamPendingLinkEntity } from './upstream-pending-link.entity';

export { UpstreamAuthRequestEntity, UpstreamIdpEntity, UpstreamLinkEntity, UpstreamPendingLinkEntity };

/** The upstream IdP feature's tables (listed in AUTH_SERVICE_ENTITIES). */
export const UPSTREAM_ENTITIES = [UpstreamIdpEntity, UpstreamLinkEntity, UpstreamAuthRequestEntity, UpstreamPendingLinkEntity];
