export * from './oauth-error';
