import { blockedAddressReason, isPublicAddress } from './address-policy';

describe('address policy', () => {
  // [address, expected reason (a substring), or null when the address is allowed]
  const table: Array<[string, string | null]> = [
    // IPv4 special-purpose ranges, both ends of each where it matters
    ['0.0.0.0', 'unspecified'],
    ['0.255.255.255', '0.0.0.0/8'],
    ['10.0.0.0', 'private address (10.0.0.0/8, RFC 1918)'],
    ['10.0.0.5', 'private address (10.0.0.0/8, RFC 1918)'],
    ['10.255.255.255', '10.0.0.0/8'],
    ['100.64.0.0', 'carrier-grade NAT address (100.64.0.0/10, RFC 6598)'],
    ['100.100.100.200', '100.64.0.0/10'], // Alibaba Cloud metadata
    ['100.127.255.255', '100.64.0.0/10'],
    ['127.0.0.1', 'loopback address (127.0.0.0/8)'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'link-local address (169.254.0.0/16, where cloud metadata services live)'],
    ['169.254.0.1', 'link-local'],
    ['172.16.0.1', 'private address (172.16.0.0/12'],
    ['172.31.255.255', '172.16.0.0/12'],
    ['192.0.0.192', 'IETF protocol assignment'], // Oracle Cloud metadata
    ['192.0.2.10', 'documentation'],
    ['192.88.99.1', '6to4 relay'],
    ['192.168.0.1', 'private address (192.168.0.0/16'],
    ['192.168.255.255', '192.168.0.0/16'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['224.0.0.1', 'multicast address (224.0.0.0/4)'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved address (240.0.0.0/4'],
    ['255.255.255.255', 'broadcast'],
    // IPv4 neighbours of those ranges, and ordinary public addresses
    ['1.1.1.1', null],
    ['8.8.8.8', null],
    ['9.255.255.255', null],
    ['11.0.0.0', null],
    ['100.63.255.255', null],
    ['100.128.0.0', null],
    ['126.255.255.255', null],
    ['128.0.0.0', null],
    ['169.253.255.255', null],
    ['169.255.0.0', null],
    ['172.15.255.255', null],
    ['172.32.0.0', null],
    ['192.0.1.1', null],
    ['192.167.255.255', null],
    ['192.169.0.0', null],
    ['198.17.255.255', null],
    ['198.20.0.0', null],
    ['223.255.255.255', null],
    // IPv6
    ['::', 'unspecified address (::/128)'],
    ['::1', 'loopback address (::1/128)'],
    ['[::1]', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['fc00::1', 'unique-local'],
    ['fd00:ec2::254', 'unique-local (private) address (fc00::/7)'], // AWS IPv6 metadata
    ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'unique-local'],
    ['fe80::1', 'link-local address (fe80::/10)'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast address (ff00::/8)'],
    ['ff05::2', 'multicast'],
    ['100::1', 'discard-only'],
    ['2001:db8::1', 'documentation address (2001:db8::/32'],
    ['3fff::1', 'documentation'],
    ['2001::1', 'Teredo'],
    ['2001:2::1', 'IETF protocol assignment'],
    ['64:ff9b:1::1', 'local-use NAT64'],
    ['5f00::1', 'outside IPv6 global unicast'],
    ['1::1', 'outside IPv6 global unicast'],
    ['e000::1', 'outside IPv6 global unicast'],
    ['::7f00:1', 'IPv4-compatible'],
    ['::ffff:0:7f00:1', 'IPv4-translated'],
    // IPv6 forms that carry an IPv4 address are judged by that address
    ['::ffff:127.0.0.1', 'IPv4-mapped IPv6 form of 127.0.0.1, a loopback address'],
    ['::ffff:7f00:1', 'IPv4-mapped IPv6 form of 127.0.0.1'],
    ['0:0:0:0:0:ffff:7f00:1', 'IPv4-mapped IPv6 form of 127.0.0.1'],
    ['::ffff:10.1.2.3', 'IPv4-mapped IPv6 form of 10.1.2.3, a private address'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped IPv6 form of 169.254.169.254, a link-local address'],
    ['::ffff:0.0.0.0', 'IPv4-mapped IPv6 form of 0.0.0.0'],
    ['::ffff:8.8.8.8', null],
    ['64:ff9b::127.0.0.1', 'NAT64 IPv6 form of 127.0.0.1'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 IPv6 form of 169.254.169.254'],
    ['64:ff9b::8.8.8.8', null],
    ['2002:7f00:1::1', '6to4 IPv6 form of 127.0.0.1'],
    ['2002:c0a8:101::1', '6to4 IPv6 form of 192.168.1.1'],
    ['2002:808:808::1', null],
    // public IPv6
    ['2001:4860:4860::8888', null],
    ['2606:4700:4700::1111', null],
    ['2a00:1450:4001:81c::200e', null],
    ['2c0f:fb50:4003::1', null],
    // not IP addresses (or not canonical ones): refused
    ['', 'not an IP address'],
    ['localhost', 'not an IP address'],
    ['example.com', 'not an IP address'],
    ['127.1', 'not an IP address'],
    ['0x7f.0.0.1', 'not an IP address'],
    ['2130706433', 'not an IP address'],
    ['0177.0.0.1', 'not an IP address'],
    ['1.2.3.4.5', 'not an IP address'],
    ['256.1.1.1', 'not an IP address'],
    ['::1::2', 'not an IP address'],
  ];

  it.each(table)('%s → %s', (address, expected) => {
    const reason = blockedAddressReason(address);
    if (expected === null) {
      expect(reason).toBeNull();
      expect(isPublicAddress(address)).toBe(true);
    } else {
      expect(reason).toContain(expected);
      expect(isPublicAddress(address)).toBe(false);
    }
  });
});
