import type { ValueTransformer } from 'typeorm';

/** Epoch milliseconds in a BIGINT: PostgreSQL hands bigints back as strings, so convert. */
export const epochMillis: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | number | null) => (v === null || v === undefined ? null : Number(v)),
};

/** JSON in a TEXT column, the same on both engines. */
export const json: ValueTransformer = {
  to: (v: unknown) => (v === undefined ? undefined : JSON.stringify(v)),
  from: (v: string | null) => (v === null ? null : JSON.parse(v)),
};
