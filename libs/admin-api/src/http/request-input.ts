import { Problem } from './problem';

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;

/** A JSON object body, or a 400 that says so. */
export function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw Problem.badRequest('The body must be a JSON object.');
  return body as Record<string, unknown>;
}

/** One query parameter given at most once. */
export function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw Problem.badRequest(`${name} must be given once.`);
  return value;
}

export function pageSize(query: Record<string, unknown>): number {
  const raw = single(query, 'limit');
  if (raw === undefined) return DEFAULT_PAGE_SIZE;
  if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_PAGE_SIZE) throw Problem.badRequest(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}.`);
  return Number(raw);
}

/** An opaque cursor: base64url of what the listing continues after. */
export const encodeCursor = (value: string | number) => Buffer.from(String(value), 'utf8').toString('base64url');

export function decodeCursor(query: Record<string, unknown>): string | undefined {
  const raw = single(query, 'cursor');
  if (raw === undefined) return undefined;
  const value = /^[A-Za-z0-9_-]{1,400}$/.test(raw) ? Buffer.from(raw, 'base64url').toString('utf8') : '';
  if (!value) throw Problem.badRequest('cursor is not one this API gave.');
  return value;
}

/** An instant as ISO 8601 or epoch milliseconds. */
export function instant(query: Record<string, unknown>, name: string): number | undefined {
  const raw = single(query, name);
  if (raw === undefined) return undefined;
  const ms = /^\d{1,15}$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(ms)) throw Problem.badRequest(`${name} must be an ISO 8601 instant or epoch milliseconds.`);
  return ms;
}

/** An id in a path: anything else is a 404 before it reaches a database. */
export function pathId(value: string, what: string): string {
  // `.` and `..` would be resolved away in the internal URL they are forwarded into.
  if (!/^[A-Za-z0-9._~:@-]{1,255}$/.test(value) || /^\.{1,2}$/.test(value)) throw Problem.notFound(`No such ${what}.`);
  return value;
}
