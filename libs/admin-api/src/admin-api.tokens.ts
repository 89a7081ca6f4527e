/** DI tokens of the admin API. */
export const ADMIN_API_DATA_SOURCE = Symbol.for('tessera.admin-api.data-source');
export const ADMIN_API_CONFIG = Symbol.for('tessera.admin-api.config');
export const ADMIN_CLOCK = Symbol.for('tessera.admin-api.clock');

/** Epoch milliseconds; injected so that tests control time. */
export type Clock = () => number;
