import { AdminApiPostgres1796200000000 } from './1796200000000-AdminApi';

export const POSTGRES_MIGRATIONS = [AdminApiPostgres1796200000000];
