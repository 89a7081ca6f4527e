export { AdminApiModule, type AdminApiModuleOptions } from './admin-api.module';
export { adminApiConfigSchema, type AdminApiEnv } from './config/admin-api-config';
export { ADMIN_API_DATA_SOURCE } from './admin-api.tokens';
