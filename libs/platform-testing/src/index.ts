export * from './platform-harness';
export * from './stand-ins';
