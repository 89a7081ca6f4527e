/**
 * A full-page navigation away from this page: back to the token service (a sign-in or consent
 * continues there), to an identity provider (linking an account), or to the signed-out page
 * after the account is deleted (which also drops everything this page held in memory). Its own
 * module so that tests can replace it: jsdom cannot follow a navigation. Only http(s)
 * addresses: a `javascript:` or `data:` URL in an answer must never run.
 */
export function navigateTo(url: string): void {
  const target = new URL(url, window.location.origin);
  if (target.protocol !== 'https:' && target.protocol !== 'http:') throw new Error('Refusing to navigate to a non-http(s) address.');
  window.location.assign(target.href);
}
