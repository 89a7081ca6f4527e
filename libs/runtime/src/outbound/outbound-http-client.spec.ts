import type { LookupAddress, LookupOptions } from 'node:dns';
import { guardedLookup, OutboundHttpClient, type AddressResolver } from './outbound-http-client';
import { OutboundHttpError, type OutboundHttpErrorReason } from './outbound-http-error';

// Every request here is refused before a socket is opened or a name is resolved.

async function refusal(promise: Promise<unknown>): Promise<OutboundHttpError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OutboundHttpError);
  return err as OutboundHttpError;
}

function expectNoSecrets(err: OutboundHttpError): void {
  for (const text of [err.message, err.url]) {
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('alice');
  }
}

describe('OutboundHttpClient: URLs refused before any network access', () => {
  const client = new OutboundHttpClient();
  const lenient = new OutboundHttpClient({ allowHttp: true, allowPrivateAddresses: true });

  it.each([
    ['http://rp.example/jwks?secret=hunter2', 'http://rp.example/jwks is refused: outbound requests must use https'],
    ['HTTP://rp.example/jwks', 'must use https'],
    ['ftp://rp.example/file', 'ftp: is refused'],
    ['file:///etc/passwd', 'file: is refused'],
    ['javascript:alert(1)', 'javascript: is refused'],
    ['data:application/json,{"secret":"hunter2"}', 'data: is refused'],
    ['ws://rp.example/', 'ws: is refused'],
  ])('%s: bad_scheme', async (url, message) => {
    const err = await refusal(client.get(url));
    expect(err.reason).toBe<OutboundHttpErrorReason>('bad_scheme');
    expect(err.message).toContain(message);
    expectNoSecrets(err);
  });

  it.each([
    ['not a url', 'not a valid absolute URL'],
    ['/relative/path', 'not a valid absolute URL'],
    ['https://', 'not a valid absolute URL'],
    ['https://exa mple.com/', 'not a valid absolute URL'],
    ['https://rp.example%40evil.example/', 'not a valid absolute URL'],
    ['https://alice:hunter2@rp.example/jwks', 'credentials'],
    ['https://alice@rp.example/jwks', 'credentials'],
    ['https://@rp.example/jwks', 'credentials'],
    ['https://:hunter2@rp.example/jwks', 'credentials'],
    ['https:rp.example/jwks', 'write the URL as https://host/path'],
    ['https:/rp.example/jwks', 'write the URL as https://host/path'],
    ['https:///rp.example/jwks', 'canonical form'],
    ['https:\\\\rp.example\\jwks', 'backslashes'],
    ['https://rp.example\\@evil.example/', 'backslashes'],
    [' https://rp.example/jwks', 'whitespace'],
    ['https://rp.example/jwks\n', 'whitespace'],
    ['https://rp.exa\tmple/jwks', 'whitespace'],
    ['https://rp.example/a\u0000b', 'control characters'],
    ['https://%72p.example/jwks', 'host written as %72p.example'],
    ['https://RP.EXAMPLE%2e/jwks', 'canonical form'],
    ['https://0x08080808/', 'host written as 0x08080808'],
    ['https://134744072/', 'canonical form (8.8.8.8)'],
    ['https://8.8.8.8./', 'canonical form'],
    ['https://010.8.8.8/', 'canonical form (8.8.8.8)'],
    ['https://\uff18.\uff18.\uff18.\uff18/', 'canonical form (8.8.8.8)'], // full-width digits
  ])('%j: bad_url', async (url, message) => {
    const err = await refusal(client.get(url));
    expect(err.reason).toBe<OutboundHttpErrorReason>('bad_url');
    expect(err.message).toContain(message);
    expectNoSecrets(err);
  });

  it.each([
    ['https://127.0.0.1/jwks', '127.0.0.1, a loopback address'],
    ['https://127.0.0.1:8443/jwks?secret=hunter2', 'https://127.0.0.1:8443/jwks points to 127.0.0.1, a loopback address (127.0.0.0/8); outbound requests to private and special-purpose addresses are refused'],
    ['https://10.0.0.5/jwks', 'https://10.0.0.5/jwks points to 10.0.0.5, a private address (10.0.0.0/8, RFC 1918)'],
    ['https://172.16.3.4/', 'private address'],
    ['https://192.168.1.1/', 'private address'],
    ['https://100.64.0.1/', 'carrier-grade NAT'],
    ['https://169.254.169.254/latest/meta-data/iam/', 'link-local address (169.254.0.0/16, where cloud metadata services live)'],
    ['https://0.0.0.0/', 'unspecified'],
    ['https://224.0.0.1/', 'multicast'],
    ['https://255.255.255.255/', 'broadcast'],
    ['https://[::1]/', '::1, a loopback address'],
    ['https://[::]/', 'unspecified'],
    ['https://[fe80::1]/', 'link-local'],
    ['https://[fd00:ec2::254]/', 'unique-local'],
    ['https://[ff02::1]/', 'multicast'],
    ['https://[::ffff:127.0.0.1]/', 'IPv4-mapped IPv6 form of 127.0.0.1'],
    ['https://[::ffff:7f00:1]/', 'IPv4-mapped IPv6 form of 127.0.0.1'],
    ['https://[0:0:0:0:0:ffff:a9fe:a9fe]/', 'IPv4-mapped IPv6 form of 169.254.169.254'],
    ['https://[::ffff:10.0.0.1]/', 'IPv4-mapped IPv6 form of 10.0.0.1'],
    ['https://[64:ff9b::169.254.169.254]/', 'NAT64 IPv6 form of 169.254.169.254'],
    ['https://[2002:7f00:1::]/', '6to4 IPv6 form of 127.0.0.1'],
    // numeric forms the URL parser normalises are judged by the address they become
    ['https://2130706433/', '(host written as 2130706433) points to 127.0.0.1'],
    ['https://0x7f000001/', 'points to 127.0.0.1'],
    ['https://0x7f.1/', '(host written as 0x7f.1) points to 127.0.0.1'],
    ['https://0177.0.0.1/', 'points to 127.0.0.1'],
    ['https://127.1/', 'points to 127.0.0.1'],
    ['https://0/', 'points to 0.0.0.0'],
    ['https://%31%32%37.0.0.1/', 'points to 127.0.0.1'],
    ['https://2852039166/', 'points to 169.254.169.254'],
    ['https://0xa9.0xfe.0xa9.0xfe/', 'points to 169.254.169.254'],
    ['https://127.0.0.1./', 'points to 127.0.0.1'],
  ])('%s: blocked_address', async (url, message) => {
    const err = await refusal(client.get(url));
    expect(err.reason).toBe<OutboundHttpErrorReason>('blocked_address');
    expect(err.message).toContain(message);
    expectNoSecrets(err);
  });

  it('refuses the same way through post, getJson and fetch', async () => {
    for (const attempt of [
      () => client.post('https://10.0.0.1/jwks?secret=hunter2', 'logout_token=x'),
      () => client.getJson('https://10.0.0.1/jwks?secret=hunter2'),
      () => client.fetch('https://10.0.0.1/jwks?secret=hunter2'),
      () => client.fetch(new URL('https://10.0.0.1/jwks?secret=hunter2'), { method: 'POST', body: 'x' }),
      () => client.fetch(new Request('https://10.0.0.1/jwks?secret=hunter2')),
    ]) {
      const err = await refusal(attempt());
      expect(err.reason).toBe('blocked_address');
      expect(err.url).toBe('https://10.0.0.1/jwks');
      expect(err.url).not.toContain('hunter2');
    }
    const http = await refusal(client.fetch('http://rp.example/'));
    expect(http.reason).toBe('bad_scheme');
    const credentials = await refusal(client.fetch('https://alice:hunter2@rp.example/'));
    expect(credentials.reason).toBe('bad_url');
    expectNoSecrets(credentials);
  });

  it('still refuses credentials and odd forms when private addresses and http are allowed', async () => {
    expect((await refusal(lenient.get('http://alice:hunter2@127.0.0.1/'))).reason).toBe('bad_url');
    expect((await refusal(lenient.get('https://0x7f.1/'))).reason).toBe('bad_url');
    expect((await refusal(lenient.get('ftp://127.0.0.1/'))).reason).toBe('bad_scheme');
  });

  it('rejects a per-call maxBodyBytes that is not a non-negative integer', async () => {
    await expect(new OutboundHttpClient().get('https://rp.example/', { maxBodyBytes: -1 })).rejects.toThrow(RangeError);
  });
});

describe('OutboundHttpClient options', () => {
  it.each([{ timeoutMs: 0 }, { timeoutMs: -5 }, { timeoutMs: Number.NaN }, { maxBodyBytes: -1 }, { maxBodyBytes: 1.5 }])('refuses %j', (options) => {
    expect(() => new OutboundHttpClient(options)).toThrow(RangeError);
  });
});

describe('guardedLookup (the resolver check behind every hostname)', () => {
  type Result = { err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number };
  const run = (resolved: LookupAddress[] | Error, options: LookupOptions = {}): Promise<Result> => {
    const resolver: AddressResolver = () => (resolved instanceof Error ? Promise.reject(resolved) : Promise.resolve(resolved));
    return new Promise((resolve) =>
      guardedLookup('https://rp.example/jwks', resolver)('rp.example', options, (err, address, family) => resolve({ err, address, family })),
    );
  };

  it('answers with the first address when every address is public', async () => {
    const result = await run([
      { address: '93.184.215.14', family: 4 },
      { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
    ]);
    expect(result).toEqual({ err: null, address: '93.184.215.14', family: 4 });
  });

  it('answers with every address when asked for all (autoSelectFamily)', async () => {
    const addresses = [
      { address: '93.184.215.14', family: 4 },
      { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
    ];
    expect((await run(addresses, { all: true })).address).toEqual(addresses);
    expect((await run(addresses, { family: 6 })).address).toBe('2606:2800:21f:cb07:6820:80da:af6b:8b2c');
    expect((await run(addresses, { family: 'IPv4', all: true })).address).toEqual([addresses[0]]);
  });

  it.each<[string, LookupAddress[]]>([
    ['a private address', [{ address: '10.0.0.5', family: 4 }]],
    ['a public and a private address (rebinding)', [{ address: '93.184.215.14', family: 4 }, { address: '127.0.0.1', family: 4 }]],
    ['a private address first', [{ address: '169.254.169.254', family: 4 }, { address: '93.184.215.14', family: 4 }]],
    ['a private IPv6 address next to a public IPv4 one', [{ address: '93.184.215.14', family: 4 }, { address: 'fd00::1', family: 6 }]],
    ['an IPv4-mapped loopback', [{ address: '::ffff:127.0.0.1', family: 6 }]],
  ])('refuses a name that resolves to %s', async (_, addresses) => {
    const blocked = addresses.find((a) => !a.address.startsWith('93.'));
    for (const options of [{}, { all: true }, { family: 4 }]) {
      const result = await run(addresses, options);
      expect(result.err).toBeInstanceOf(OutboundHttpError);
      expect((result.err as OutboundHttpError).reason).toBe('blocked_address');
      expect(result.err?.message).toContain(`https://rp.example/jwks resolved to ${blocked?.address}, `);
      expect(result.err?.message).toContain('outbound requests to private and special-purpose addresses are refused');
    }
  });

  it('passes resolver errors on, and reports a name with no usable address as not found', async () => {
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND rp.example'), { code: 'ENOTFOUND' });
    expect((await run(notFound)).err).toBe(notFound);
    expect((await run([])).err?.code).toBe('ENOTFOUND');
    expect((await run([{ address: '93.184.215.14', family: 4 }], { family: 6 })).err?.code).toBe('ENOTFOUND');
  });
});
