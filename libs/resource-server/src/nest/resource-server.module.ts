import { Module, type DynamicModule, type FactoryProvider, type ModuleMetadata } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ResourceServerOptions } from '../options';
import { TokenVerifier } from '../token-verifier';
import { BearerTokenGuard } from './bearer-token.guard';

export interface ResourceServerModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: FactoryProvider['inject'];
  /** Receives the `inject` providers, in order. */
  useFactory: (...args: never[]) => ResourceServerOptions | Promise<ResourceServerOptions>;
}

/**
 * Provides a TokenVerifier and the BearerTokenGuard to the module that imports it. Not global:
 * two APIs in one process (the platform runs the admin and account APIs side by side) each
 * import their own, with their own audience.
 */
@Module({})
export class ResourceServerModule {
  static forRoot(options: ResourceServerOptions | ResourceServerModuleAsyncOptions): DynamicModule {
    const verifier: FactoryProvider<TokenVerifier> =
      'useFactory' in options
        ? {
            provide: TokenVerifier,
            inject: options.inject ?? [],
            useFactory: async (...args: unknown[]) =>
              new TokenVerifier(await (options.useFactory as (...injected: unknown[]) => ResourceServerOptions | Promise<ResourceServerOptions>)(...args)),
          }
        : { provide: TokenVerifier, useFactory: () => new TokenVerifier(options) };
    return {
      module: ResourceServerModule,
      imports: 'useFactory' in options ? (options.imports ?? []) : [],
      providers: [
        verifier,
        BearerTokenGuard,
        // With `moduleIdGeneratorAlgorithm: 'deep-hash'`, Nest tells dynamic modules apart by a
        // hash of their metadata, in which a factory is its source text: without this value, two
        // forRoot calls with different options would become one module (one audience for both).
        { provide: INSTANCE, useValue: randomUUID() },
      ],
      exports: [TokenVerifier, BearerTokenGuard],
    };
  }
}

const INSTANCE = Symbol('resource-server-module-instance');
