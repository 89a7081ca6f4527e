import { acceptsHtml, matchesEtag, negotiateEncoding, type Encoding } from './negotiation';

const both = new Set<Encoding>(['br', 'gzip']);

describe('negotiateEncoding (RFC 9110 §12.5.3)', () => {
  it.each([
    [undefined, 'identity'],
    ['', 'identity'],
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip', 'gzip'],
    ['GZIP', 'gzip'],
    ['br;q=0.5, gzip', 'gzip'],
    ['br;q=0, gzip;q=0.1', 'gzip'],
    ['br;q=0, gzip;q=0', 'identity'],
    ['*', 'br'],
    ['*;q=0.5, br;q=0', 'gzip'],
    ['identity', 'identity'],
    ['identity, gzip;q=0.5', 'identity'],
    ['identity;q=0.5, gzip', 'gzip'],
    ['deflate', 'identity'],
    ['br;q=abc, gzip;q=0.2', 'gzip'],
    ['br;q=2', 'identity'],
  ])('Accept-Encoding %j → %s', (header, expected) => {
    expect(negotiateEncoding(header, both)).toBe(expected);
  });

  it('offers only the codings the file has', () => {
    expect(negotiateEncoding('br, gzip', new Set<Encoding>(['gzip']))).toBe('gzip');
    expect(negotiateEncoding('br', new Set<Encoding>(['gzip']))).toBe('identity');
    expect(negotiateEncoding('br, gzip', new Set<Encoding>())).toBe('identity');
  });
});

describe('acceptsHtml', () => {
  it.each([
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', true],
    ['TEXT/HTML', true],
    ['application/json', false],
    ['*/*', false],
    ['text/html;q=0', false],
    ['application/json, text/html;q=0.1', true],
    [undefined, false],
  ])('Accept %j → %s', (accept, expected) => {
    expect(acceptsHtml(accept)).toBe(expected);
  });
});

describe('matchesEtag (If-None-Match, weak comparison)', () => {
  it.each([
    ['"abc"', '"abc"', true],
    ['W/"abc"', '"abc"', true],
    ['"x", "abc"', '"abc"', true],
    ['*', '"abc"', true],
    ['"abc-br"', '"abc"', false],
    [undefined, '"abc"', false],
    ['', '"abc"', false],
  ])('%j against %s → %s', (header, etag, expected) => {
    expect(matchesEtag(header, etag)).toBe(expected);
  });
});
