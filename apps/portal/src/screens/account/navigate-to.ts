/**
 * A full-page navigation (to an upstream provider, or away after the account is deleted, which
 * also drops everything this page held in memory). Its own module so that tests can replace it.
 */
export function navigateTo(url: string): void {
  window.location.assign(url);
}
