import { Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InternalApiGuardBase, PLATFORM_CONFIG, type PlatformConfig } from '@tessera/runtime';
import { INTERNAL_SECRET } from '../../token-service.tokens';

export { InternalCallers } from '@tessera/runtime';

/** The token service's internal API guard: the shared rule, with this service's secret and the retired ones still accepted. */
@Injectable()
export class InternalApiGuard extends InternalApiGuardBase {
  constructor(reflector: Reflector, @Inject(INTERNAL_SECRET) secret: string, @Inject(PLATFORM_CONFIG) platform: PlatformConfig) {
    super(reflector, secret, platform.retiredInternalSecrets);
  }
}
