import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';

/**
 * TESSERA_TRUSTED_PROXIES: reverse proxies whose X-Forwarded-For is believed (comma-separated IP
 * addresses). Without one, the client IP is the TCP peer: a header anyone can send never decides
 * throttling or what the audit log says.
 */
export const trustedProxiesSetting = z
  .string()
  .default('')
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .superRefine((list, ctx) => {
    for (const ip of list) if (!isIP(ip)) ctx.addIssue({ code: 'custom', message: `"${ip}" is not an IP address` });
  });

/**
 * The client's IP address for throttling and the audit trail. `X-Forwarded-For` is believed
 * only when the TCP peer is a configured trusted proxy (TESSERA_TRUSTED_PROXIES, read by every
 * service), and then only from the right: the first address (reading right to left) that is
 * not itself a trusted proxy is the client.
 */
export function clientIp(req: FastifyRequest, trustedProxies: readonly string[]): string {
  const peer = normalize(req.raw.socket.remoteAddress ?? '');
  if (!trustedProxies.length || !trustedProxies.includes(peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((h) => normalize(h.trim()))
    .filter((h) => isIP(h));
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!trustedProxies.includes(hops[i] as string)) return hops[i] as string;
  }
  return peer;
}

/** IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is the IPv4 address. */
const normalize = (ip: string) => (ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip);
