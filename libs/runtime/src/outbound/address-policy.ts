import * as ipaddr from 'ipaddr.js';

/**
 * Which IP addresses server-side fetches may connect to.
 *
 * Everything that is not ordinary public unicast is refused: loopback, RFC 1918, link-local
 * (the cloud metadata service at 169.254.169.254 among them), CGNAT, unique-local, multicast,
 * unspecified, documentation, benchmarking and reserved ranges. IPv6 outside global unicast
 * (2000::/3) is refused wholesale; IPv6 forms that carry an IPv4 address (IPv4-mapped, NAT64,
 * 6to4) are judged by the IPv4 address they carry. Anything that does not parse as an IP
 * address is refused too (fail closed).
 */

interface Range {
  cidr: string;
  /** Completes "…, <description> (<cidr>)", e.g. "a loopback address". */
  description: string;
  ref?: string;
}

const IPV4_BLOCKED: readonly Range[] = [
  { cidr: '0.0.0.0/8', description: 'an unspecified ("this network") address' },
  { cidr: '10.0.0.0/8', description: 'a private address', ref: 'RFC 1918' },
  { cidr: '100.64.0.0/10', description: 'a shared carrier-grade NAT address', ref: 'RFC 6598' },
  { cidr: '127.0.0.0/8', description: 'a loopback address' },
  { cidr: '169.254.0.0/16', description: 'a link-local address', ref: 'where cloud metadata services live' },
  { cidr: '172.16.0.0/12', description: 'a private address', ref: 'RFC 1918' },
  { cidr: '192.0.0.0/24', description: 'an IETF protocol assignment address', ref: 'RFC 6890' },
  { cidr: '192.0.2.0/24', description: 'a documentation address', ref: 'RFC 5737' },
  { cidr: '192.88.99.0/24', description: 'a deprecated 6to4 relay address', ref: 'RFC 7526' },
  { cidr: '192.168.0.0/16', description: 'a private address', ref: 'RFC 1918' },
  { cidr: '198.18.0.0/15', description: 'a benchmarking address', ref: 'RFC 2544' },
  { cidr: '198.51.100.0/24', description: 'a documentation address', ref: 'RFC 5737' },
  { cidr: '203.0.113.0/24', description: 'a documentation address', ref: 'RFC 5737' },
  { cidr: '224.0.0.0/4', description: 'a multicast address' },
  { cidr: '255.255.255.255/32', description: 'the broadcast address' },
  { cidr: '240.0.0.0/4', description: 'a reserved address', ref: 'RFC 1112' },
];

/** IPv6 ranges that embed an IPv4 address in their last 32 bits (6to4 is handled apart). */
const IPV6_EMBEDDING_IPV4: readonly Range[] = [
  { cidr: '::ffff:0:0/96', description: 'an IPv4-mapped' },
  { cidr: '64:ff9b::/96', description: 'a NAT64' },
];

const IPV6_BLOCKED: readonly Range[] = [
  { cidr: '::/128', description: 'the unspecified address' },
  { cidr: '::1/128', description: 'a loopback address' },
  { cidr: '::/96', description: 'a deprecated IPv4-compatible address', ref: 'RFC 4291' },
  { cidr: '::ffff:0:0:0/96', description: 'an IPv4-translated address', ref: 'RFC 6145' },
  { cidr: '64:ff9b:1::/48', description: 'a local-use NAT64 address', ref: 'RFC 8215' },
  { cidr: '100::/64', description: 'a discard-only address', ref: 'RFC 6666' },
  { cidr: 'fc00::/7', description: 'a unique-local (private) address' },
  { cidr: 'fe80::/10', description: 'a link-local address' },
  { cidr: 'fec0::/10', description: 'a deprecated site-local address' },
  { cidr: 'ff00::/8', description: 'a multicast address' },
  { cidr: '2001::/32', description: 'a Teredo tunnelling address' },
  { cidr: '2001::/23', description: 'an IETF protocol assignment address', ref: 'RFC 2928' },
  { cidr: '2001:db8::/32', description: 'a documentation address', ref: 'RFC 3849' },
  { cidr: '3fff::/20', description: 'a documentation address', ref: 'RFC 9637' },
];

const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');
const SIX_TO_FOUR = ipaddr.IPv6.parseCIDR('2002::/16');

type Parsed<T> = { range: Range; cidr: [T, number] };
const v4 = IPV4_BLOCKED.map((range): Parsed<ipaddr.IPv4> => ({ range, cidr: ipaddr.IPv4.parseCIDR(range.cidr) }));
const v6 = IPV6_BLOCKED.map((range): Parsed<ipaddr.IPv6> => ({ range, cidr: ipaddr.IPv6.parseCIDR(range.cidr) }));
const v6Embedding = IPV6_EMBEDDING_IPV4.map((range): Parsed<ipaddr.IPv6> => ({ range, cidr: ipaddr.IPv6.parseCIDR(range.cidr) }));

function describe(range: Range): string {
  return `${range.description} (${range.ref ? `${range.cidr}, ${range.ref}` : range.cidr})`;
}

function blockedIpv4(address: ipaddr.IPv4): string | null {
  const hit = v4.find(({ cidr }) => address.match(cidr));
  return hit ? describe(hit.range) : null;
}

function embeddedIpv4(bytes: number[]): ipaddr.IPv4 {
  return new ipaddr.IPv4(bytes);
}

function blockedIpv6(address: ipaddr.IPv6): string | null {
  const bytes = address.toByteArray();
  for (const { range, cidr } of v6Embedding) {
    if (address.match(cidr)) {
      const inner = embeddedIpv4(bytes.slice(12));
      const why = blockedIpv4(inner);
      return why ? `${range.description} IPv6 form of ${inner.toString()}, ${why}` : null;
    }
  }
  if (address.match(SIX_TO_FOUR)) {
    const inner = embeddedIpv4(bytes.slice(2, 6));
    const why = blockedIpv4(inner);
    return why ? `a 6to4 IPv6 form of ${inner.toString()}, ${why}` : null;
  }
  const hit = v6.find(({ cidr }) => address.match(cidr));
  if (hit) return describe(hit.range);
  if (!address.match(GLOBAL_UNICAST_V6)) return 'an address outside IPv6 global unicast (2000::/3)';
  return null;
}

/**
 * Why outbound requests may not connect to `address`, completing the sentence
 * "… resolved to 10.0.0.5, <reason>" (e.g. "a private address (10.0.0.0/8, RFC 1918)");
 * `null` when the address is ordinary public unicast. `address` is a textual IP address
 * as `dns.lookup` returns it (an IPv6 zone id is allowed); anything else is refused.
 */
export function blockedAddressReason(address: string): string | null {
  const text = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return blockedIpv4(ipaddr.IPv4.parse(text));
  if (ipaddr.IPv6.isValid(text)) return blockedIpv6(ipaddr.IPv6.parse(text));
  return 'not an IP address';
}

/** True when outbound requests may connect to `address` (see {@link blockedAddressReason}). */
export function isPublicAddress(address: string): boolean {
  return blockedAddressReason(address) === null;
}
