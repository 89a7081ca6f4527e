import type { ValueTransformer } from 'typeorm';

/** Epoch seconds in a BIGINT: PostgreSQL hands bigints back as strings, so convert. */
export const epochSeconds: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | number | null) => (v === null || v === undefined ? null : Number(v)),
};
