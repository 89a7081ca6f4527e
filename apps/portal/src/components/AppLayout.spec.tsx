import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { heldToken, holdTokenForTest } from '../auth/session';
import { renderScreen } from '../test/render';
import { AppLayout } from './AppLayout';

describe('AppLayout', () => {
  it('keeps the ID token out of the page until "Sign out" builds the logout form and posts it', async () => {
    holdTokenForTest('account', { accessToken: 'at', idToken: 'the-id-token' });
    const posted: Array<{ method: string; action: string; fields: Record<string, string> }> = [];
    const submit = jest.spyOn(HTMLFormElement.prototype, 'submit').mockImplementation(function (this: HTMLFormElement) {
      posted.push({ method: this.method, action: this.action, fields: Object.fromEntries(new FormData(this) as unknown as Iterable<[string, string]>) });
    });
    renderScreen({ url: '/account', element: <AppLayout>content</AppLayout> });
    expect(document.documentElement.innerHTML).not.toContain('the-id-token');
    expect(document.querySelector('input[name="id_token_hint"]')).toBeNull();

    await userEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(submit).toHaveBeenCalledTimes(1);
    expect(posted).toEqual([
      {
        method: 'post',
        action: `${window.location.origin}/oauth2/logout`,
        fields: { client_id: 'tessera-portal', post_logout_redirect_uri: `${window.location.origin}/signed-out`, id_token_hint: 'the-id-token' },
      },
    ]);
    expect(heldToken('account')).toBeUndefined();
    submit.mockRestore();
  });

  it('has a polite live region for the page’s news', () => {
    holdTokenForTest('account', { accessToken: 'at' });
    renderScreen({ url: '/account', element: <AppLayout>content</AppLayout> });
    expect(document.querySelector('[data-announcer]')?.getAttribute('aria-live')).toBe('polite');
  });
});
