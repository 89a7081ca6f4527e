import { Controller, Get, Inject, UseFilters, UseGuards } from '@nestjs/common';
import { STANDARD_SCOPES, type ScopeRegistry } from '@tessera/scopes';
import { SCOPE_REGISTRY } from '../../token-service.tokens';
import { OAuthErrorFilter } from '../oauth-error.filter';
import { InternalApiGuard, InternalCallers } from './internal-api.guard';

/**
 * The scopes and claims this token service knows, for the admin console: the OpenID Connect
 * scopes and claims, and the custom ones of TESSERA_SCOPES (configuration, hence read-only
 * here). APIs' own scopes are those of the resource servers (`/internal/resource-servers`).
 */
@Controller('internal/scopes')
@UseGuards(InternalApiGuard)
@InternalCallers('admin-api', 'operator')
@UseFilters(OAuthErrorFilter)
export class InternalScopesController {
  constructor(@Inject(SCOPE_REGISTRY) private readonly registry: ScopeRegistry) {}

  @Get()
  list() {
    const standard = new Set(STANDARD_SCOPES.map((s) => s.name));
    return {
      scopes: this.registry.supportedScopes().map((name) => {
        const scope = this.registry.describe(name);
        return { name, description: scope?.description, claims: [...(scope?.claims ?? [])], standard: standard.has(name) };
      }),
      claims: this.registry.supportedClaims().map((name) => ({ name, ...(this.registry.claimType(name) ? { type: this.registry.claimType(name) } : {}) })),
    };
  }
}
