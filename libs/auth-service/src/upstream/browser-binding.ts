import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The browser binding of upstream sign-ins: a random value in an HttpOnly cookie; the server
 * keeps only its SHA-256. A callback (or a pending link) is accepted only from the browser
 * holding it, so a callback URL replayed in another browser, or planted in a victim's browser
 * (login CSRF), is refused. SameSite=Lax: the provider sends the browser back with a top-level
 * GET navigation from its own site, which Lax cookies survive.
 */
export const BINDING_COOKIE = 'tessera_upstream';
/** The pending link's own key, set when a sign-in met an existing account's email address. */
export const PENDING_LINK_COOKIE = 'tessera_upstream_link';
export const UPSTREAM_COOKIE_PATH = '/auth/upstream';

const WELL_FORMED = /^[A-Za-z0-9_-]{43}$/;

export const hashOf = (value: string) => createHash('sha256').update(value).digest('base64url');

export const newSecret = () => randomBytes(32).toString('base64url');

/** The cookie's value when it looks like one we set. */
export function cookieValue(req: FastifyRequest, name: string): string | undefined {
  const value = req.cookies[name];
  return value && WELL_FORMED.test(value) ? value : undefined;
}

/** The browser's binding (kept when it has one, so that sign-ins in two tabs both work), refreshed for `maxAge` seconds. */
export function ensureBinding(req: FastifyRequest, reply: FastifyReply, secure: boolean, maxAge: number): string {
  const binding = cookieValue(req, BINDING_COOKIE) ?? newSecret();
  setUpstreamCookie(reply, BINDING_COOKIE, binding, secure, maxAge);
  return binding;
}

export function setUpstreamCookie(reply: FastifyReply, name: string, value: string, secure: boolean, maxAge: number) {
  void reply.setCookie(name, value, { path: UPSTREAM_COOKIE_PATH, httpOnly: true, sameSite: 'lax', secure, maxAge });
}

export function clearUpstreamCookie(reply: FastifyReply, name: string, secure: boolean) {
  void reply.clearCookie(name, { path: UPSTREAM_COOKIE_PATH, httpOnly: true, sameSite: 'lax', secure });
}

/** Whether `value` hashes to `expectedHash`, in constant time. */
export function matchesHash(value: string | undefined, expectedHash: string): boolean {
  if (!value) return false;
  const a = Buffer.from(hashOf(value));
  const b = Buffer.from(expectedHash);
  return a.length === b.length && timingSafeEqual(a, b);
}
