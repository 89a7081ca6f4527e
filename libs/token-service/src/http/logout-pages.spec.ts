import { appendQuery } from '../sessions/front-channel-logout.service';
import { cspSourceOf, logoutConfirmationPage, logoutPageHeaders, signedOutPage } from './logout-pages';

describe('logout pages', () => {
  it('escape what a client registered (its name) and what a request sent (state in the URL)', () => {
    const page = logoutConfirmationPage({ action: 'https://id.test/oauth2/logout', field: 'logout_confirmation', value: 'v', clientName: '<img src=x onerror=alert(1)>"' });
    expect(page).not.toContain('<img');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;');
    const out = signedOutPage({ frames: ['https://rp.test/fc?a=1&b="x"'], redirectTo: 'https://rp.test/bye?state=%22%3E', signedOut: true });
    expect(out).toContain('<iframe src="https://rp.test/fc?a=1&amp;b=&quot;x&quot;"');
    expect(out).toContain('content="2;url=https://rp.test/bye?state=%22%3E"');
    expect(out).not.toMatch(/<script/i);
  });

  it('allow a native client\'s private-use scheme by scheme, a web client by origin', () => {
    expect(cspSourceOf('com.example.app:/signed-out')).toBe('com.example.app:');
    expect(cspSourceOf('https://rp.test:8443/bye?x=1')).toBe('https://rp.test:8443');
    expect(logoutPageHeaders({ formTargets: ['com.example.app:'] })['content-security-policy']).toContain("form-action 'self' com.example.app:");
    expect(logoutPageHeaders()['content-security-policy']).not.toContain('form-action');
  });

  it('add parameters to a registered URI without re-encoding its own query', () => {
    expect(appendQuery('https://rp.test/bye', { state: 'a b&c' })).toBe('https://rp.test/bye?state=a+b%26c');
    expect(appendQuery('https://rp.test/bye?x=a%20b', { state: 's' })).toBe('https://rp.test/bye?x=a%20b&state=s');
    expect(appendQuery('https://rp.test/bye?', { state: 's' })).toBe('https://rp.test/bye?state=s');
    expect(appendQuery('https://rp.test/bye', {})).toBe('https://rp.test/bye');
  });
});
