export { AuthServiceModule, type AuthServiceModuleOptions } from './auth-service.module';
export { authServiceConfigSchema, type AuthServiceEnv } from './config/auth-service-config';
export { AUTH_SERVICE_DATABASE } from './database/database';
export { PasswordHasher, ARGON2_PARAMS } from './passwords/password-hasher';
