export { clientIp } from '@tessera/runtime';
