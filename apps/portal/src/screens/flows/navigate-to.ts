/**
 * A full-page navigation away from the portal (back to the token service, or to an identity
 * provider). Its own module so that tests can replace it: jsdom cannot follow a navigation.
 * Only http(s) addresses: a `javascript:` URL in an answer must never run.
 */
export function navigateTo(url: string): void {
  const target = new URL(url, window.location.origin);
  if (target.protocol !== 'https:' && target.protocol !== 'http:') throw new Error('Refusing to navigate to a non-http(s) address.');
  window.location.assign(target.href);
}
