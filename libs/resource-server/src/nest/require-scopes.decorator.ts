import { SetMetadata } from '@nestjs/common';
import { requiredScopes } from '../scopes';

export const REQUIRED_SCOPES = 'tessera:resource-server:required-scopes';

/**
 * The scopes a route (method) or every route of a controller (class) requires; the token must
 * hold all of them. On both, the class's and the method's scopes are all required. Scope names
 * are checked here, at startup.
 */
export const RequireScopes = (...scopes: string[]): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_SCOPES, requiredScopes(scopes));
