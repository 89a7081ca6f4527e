import type { FastifyRequest } from 'fastify';
import { clientIp } from './client-ip';

const request = (peer: string, forwarded?: string) => ({ raw: { socket: { remoteAddress: peer } }, headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded } }) as unknown as FastifyRequest;

describe('clientIp', () => {
  it('is the TCP peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(clientIp(request('192.0.2.1', '203.0.113.9'), [])).toBe('192.0.2.1');
    expect(clientIp(request('::ffff:192.0.2.1'), [])).toBe('192.0.2.1');
  });

  it('behind a trusted proxy, is the first address from the right that is not a trusted proxy', () => {
    expect(clientIp(request('10.0.0.1', '198.51.100.7, 203.0.113.9'), ['10.0.0.1'])).toBe('203.0.113.9');
    expect(clientIp(request('10.0.0.1', '198.51.100.7, 10.0.0.2'), ['10.0.0.1', '10.0.0.2'])).toBe('198.51.100.7');
    expect(clientIp(request('10.0.0.1', 'garbage'), ['10.0.0.1'])).toBe('10.0.0.1');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    expect(clientIp(request('192.0.2.50', '203.0.113.9'), ['10.0.0.1'])).toBe('192.0.2.50');
  });
});
