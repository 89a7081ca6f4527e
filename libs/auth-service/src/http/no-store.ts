import type { FastifyReply } from 'fastify';

/** Flow and account answers are about one person: never cached anywhere. */
export const noStore = (reply: FastifyReply) => void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
