/** The platform's internal secret, from which each internal caller's credential derives. */
export const INTERNAL_SECRET = Symbol.for('tessera.internal-secret');
