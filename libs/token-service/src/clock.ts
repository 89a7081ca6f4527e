/** Epoch milliseconds; injected so that tests control time. */
export type Clock = () => number;
export const CLOCK = Symbol.for('tessera.clock');
export const epochSeconds = (clock: Clock) => Math.floor(clock() / 1000);
