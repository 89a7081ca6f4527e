import { pageWithChallenge } from './page-with-challenge';

describe('pageWithChallenge', () => {
  it('appends the challenge to a page without a query', () => {
    expect(pageWithChallenge('https://id.example.com/login', 'login_challenge')('AbC-_1')).toBe('https://id.example.com/login?login_challenge=AbC-_1');
  });

  it('keeps the page\'s own query and fragment, and replaces a challenge parameter it already had', () => {
    const page = pageWithChallenge('https://ui.example.com/signin?tenant=a%20b&login_challenge=stale#top', 'login_challenge');
    const url = new URL(page('AbC-_1'));
    expect(url.searchParams.getAll('login_challenge')).toEqual(['AbC-_1']);
    expect(url.searchParams.get('tenant')).toBe('a b');
    expect(url.hash).toBe('#top');
  });

  it('gives the same URL as URLSearchParams would for a base64url value', () => {
    const base = 'https://ui.example.com/consent?x=1';
    const value = 'Q'.repeat(900);
    const expected = new URL(base);
    expected.searchParams.set('consent_challenge', value);
    expect(pageWithChallenge(base, 'consent_challenge')(value)).toBe(expected.toString());
  });
});
