import { screen, waitFor } from '@testing-library/react';
import { FakeServer } from '../../../test/fake-server';
import { renderScreen, setCsrfCookie } from '../../../test/render';
import VerifyEmailScreen from './VerifyEmailScreen';

const render = (url: string) => renderScreen({ url, path: '/verify-email', element: <VerifyEmailScreen /> });

beforeEach(() => setCsrfCookie());

describe('VerifyEmailScreen', () => {
  it('sends the token once, takes it out of the address, and confirms', async () => {
    const server = new FakeServer().on('POST /auth/verify-email', { body: { email: 'ada@example.com', email_verified: true, email_changed: false } }).install();
    const { router } = render('/verify-email?token=secret-token');
    expect((await screen.findByRole('heading', { level: 1 })).textContent).toBe('Address confirmed');
    expect(screen.getByText('Your email address ada@example.com is confirmed.')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Go to my account' }).getAttribute('href')).toBe('/account');
    const sent = server.sent('POST /auth/verify-email');
    expect(sent).toHaveLength(1);
    expect(sent[0].body).toEqual({ token: 'secret-token' });
    expect(sent[0].headers.get('x-csrf-token')).toBe('csrf-test');
    expect(router.state.location.search).toBe('');
    expect(router.state.historyAction).toBe('REPLACE');
  });

  it('says when an address change is done', async () => {
    new FakeServer().on('POST /auth/verify-email', { body: { email: 'new@example.com', email_verified: true, email_changed: true } }).install();
    render('/verify-email?token=t');
    expect(await screen.findByText('Your account now uses the address new@example.com.')).toBeTruthy();
  });

  it.each([
    ['used', 'already used'],
    ['expired', 'This link has expired'],
    ['stale', 'no longer uses'],
    ['unknown', 'This link is not valid'],
  ])('explains an invalid link (%s)', async (reason, text) => {
    new FakeServer().on('POST /auth/verify-email', { status: 400, body: { error: 'invalid_link', error_description: 'Not valid.', reason } }).install();
    render('/verify-email?token=t');
    expect((await screen.findByRole('heading', { level: 1 })).textContent).toBe('This link cannot be used');
    expect(screen.getByText(new RegExp(text))).toBeTruthy();
  });

  it('says a link without its token is incomplete, and sends nothing', async () => {
    const server = new FakeServer().install();
    render('/verify-email');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('This link cannot be used');
    expect(screen.getByText(/This link is incomplete/)).toBeTruthy();
    await waitFor(() => expect(server.requests).toHaveLength(0));
  });

  it('offers a retry when the service could not answer', async () => {
    new FakeServer().on('POST /auth/verify-email', { status: 503, body: { error: 'temporarily_unavailable' } }).install();
    render('/verify-email?token=t');
    expect((await screen.findByRole('alert')).textContent).toContain('Tessera ran into a problem');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });
});
