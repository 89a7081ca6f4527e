import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse } from '@nestjs/swagger';
import { RequireScopes } from '@tessera/resource-server';
import { ADMIN_READ_SCOPE, ADMIN_WRITE_SCOPE } from '@tessera/scopes';

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });

/** An admin API operation: the scope it needs, and what OpenAPI says of it. */
function operation(scope: string, summary: string, description?: string) {
  return applyDecorators(
    RequireScopes(scope),
    ApiBearerAuth(),
    ApiOperation({ summary, description: `${description ? `${description} ` : ''}Needs ${scope}.` }),
    ApiResponse({ status: 401, ...problem('No token, or one that is not active for the admin API (WWW-Authenticate says why).') }),
    ApiResponse({ status: 403, ...problem(`Without ${scope}, or held by someone who is no longer an administrator.`) }),
  );
}

/** Reading: admin:read. */
export const AdminRead = (summary: string, description?: string) => operation(ADMIN_READ_SCOPE, summary, description);
/** Changing: admin:write (read scope cannot write). */
export const AdminWrite = (summary: string, description?: string) => operation(ADMIN_WRITE_SCOPE, summary, description);
