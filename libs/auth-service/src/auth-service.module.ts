import { Module, type DynamicModule } from '@nestjs/common';
import { AuthCoreModule, type AuthCoreOptions } from './auth-core.module';
import { FEATURE_MODULES } from './features';

export type AuthServiceModuleOptions = AuthCoreOptions;

/** The authentication service: run alone (apps/auth-service) or inside the platform. */
@Module({})
export class AuthServiceModule {
  static forRoot(options: AuthServiceModuleOptions): DynamicModule {
    return { module: AuthServiceModule, imports: [AuthCoreModule.forRoot(options), ...FEATURE_MODULES] };
  }
}
