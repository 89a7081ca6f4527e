export * from './oauth-error';
export { isDependencyUnavailable, TEMPORARILY_UNAVAILABLE_DESCRIPTION } from './dependency-unavailable';
