export { TokenServiceModule, type TokenServiceModuleOptions } from './token-service.module';
export { tokenServiceConfigSchema, type TokenServiceEnv } from './config/token-service-config';
export { SERVICE_DATABASE as TOKEN_SERVICE_DATABASE } from './adapters/typeorm/database';
export { ENDPOINTS } from './http/public/endpoints';
