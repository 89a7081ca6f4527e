export { freePort } from '@tessera/test-kit';
