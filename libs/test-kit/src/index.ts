export * from './engines';
export * from './fake-clock';
