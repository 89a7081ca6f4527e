export { killTokenServiceReplica, stopRedis, restartPostgres, rotateKeysUnderLoad, type CaseReport } from './cases';
export { startLoad, type Ledger, type LoadOptions } from './load';
export { createTenant, type Tenant } from './workload';
export { formatCase, percentile } from './report';
