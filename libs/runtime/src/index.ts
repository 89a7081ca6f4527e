export * from './config/platform-config';
export * from './logging/logger';
export * from './secrets/data-dir-secrets';
export * from './secrets/master-key';
export * from './database/data-source-options';
export * from './http/http-app';
export * from './runtime.module';
