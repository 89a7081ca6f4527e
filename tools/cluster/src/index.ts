export { startCluster, DEFAULT_REPLICAS, type Cluster, type ClusterOptions, type ClusterSecrets } from './cluster';
export { missingPackages } from './binaries';
export { freePort } from './free-port';
export type { ServiceName, ServiceReplica } from './service-replica';
export type { PostgresServer } from './postgres-server';
export type { RedisServer } from './redis-server';
export type { NginxServer } from './nginx-server';
