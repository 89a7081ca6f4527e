export * from './engines';
export * from './fake-clock';
export * from './postgres-database';
export * from './test-browser';
export * from './scripted-login-ui';
export * from './tls-test-server';
export * from './logout-listener';
