import { Module, type DynamicModule } from '@nestjs/common';
import { EventsModule } from '@tessera/events';
import { AuthCoreModule, type AuthCoreOptions } from './auth-core.module';
import { FEATURE_MODULES } from './features';

export type AuthServiceModuleOptions = AuthCoreOptions;

/** The authentication service: run alone (apps/auth-service) or inside the platform. */
@Module({})
export class AuthServiceModule {
  static forRoot(options: AuthServiceModuleOptions): DynamicModule {
    const core = AuthCoreModule.forRoot(options);
    // The service's @OnEvent consumers are looked up from the modules that import its
    // EventsModule, skipping global ones (the core): importing that same module here too makes
    // the feature modules' consumers (e.g. mail.requested) part of this service.
    const events = (core.imports ?? []).filter((m): m is DynamicModule => (m as DynamicModule | undefined)?.module === EventsModule);
    return { module: AuthServiceModule, imports: [core, ...events, ...FEATURE_MODULES] };
  }
}
