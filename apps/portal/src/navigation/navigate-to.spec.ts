import { navigateTo } from './navigate-to';

describe('navigateTo', () => {
  it.each(['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)', 'file:///etc/passwd'])('refuses %s', (url) => {
    const before = window.location.href;
    expect(() => navigateTo(url)).toThrow('Refusing to navigate to a non-http(s) address.');
    expect(window.location.href).toBe(before);
  });

  it('follows an http(s) address, and a path on this origin', () => {
    // jsdom follows only a change of fragment: enough to see that the page was sent there.
    navigateTo(`${window.location.origin}/#resume`);
    expect(window.location.hash).toBe('#resume');
    navigateTo('/#signed-out');
    expect(window.location.hash).toBe('#signed-out');
  });
});
