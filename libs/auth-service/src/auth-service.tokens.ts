/** DI tokens of the authentication service. */
export const AUTH_SERVICE_DATA_SOURCE = Symbol.for('tessera.auth-service.data-source');
export const AUTH_INTERNAL_SECRET = Symbol.for('tessera.auth-service.internal-secret');
export const AUTH_CLOCK = Symbol.for('tessera.auth-service.clock');

/** Epoch milliseconds; injected so that tests control time. */
export type Clock = () => number;
export const nowSeconds = (clock: Clock) => Math.floor(clock() / 1000);
