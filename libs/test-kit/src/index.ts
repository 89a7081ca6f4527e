export * from './engines';
export * from './fake-clock';
export * from './postgres-database';
