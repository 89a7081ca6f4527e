import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { FakeServer } from '../../../test/fake-server';
import { renderScreen, setCsrfCookie } from '../../../test/render';
import ForgotPasswordScreen from './ForgotPasswordScreen';

const render = (url = '/forgot-password') => renderScreen({ url, path: '/forgot-password', element: <ForgotPasswordScreen /> });

beforeEach(() => setCsrfCookie());

describe('ForgotPasswordScreen', () => {
  it('asks for a link and answers the same whatever the address', async () => {
    const server = new FakeServer().on('POST /auth/recovery', { status: 202, body: { next: 'check_email' } }).install();
    const user = userEvent.setup();
    render('/forgot-password?login_challenge=ch-1');
    const email = screen.getByLabelText('Email address');
    expect(email.getAttribute('autocomplete')).toBe('email');
    await user.type(email, 'ada@example.com');
    await user.click(screen.getByRole('button', { name: 'Send the link' }));
    expect((await screen.findByRole('heading', { level: 1 })).textContent).toBe('Check your email');
    expect(screen.getByText(/If an account exists for ada@example.com, we sent it a link/)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Back to sign in' }).getAttribute('href')).toBe('/login?login_challenge=ch-1');
    const [sent] = server.sent('POST /auth/recovery');
    expect(sent.body).toEqual({ email: 'ada@example.com' });
    expect(sent.headers.get('x-csrf-token')).toBe('csrf-test');
  });

  it('checks the address before sending', async () => {
    const server = new FakeServer().install();
    const user = userEvent.setup();
    render();
    await user.type(screen.getByLabelText('Email address'), 'ada');
    await user.click(screen.getByRole('button', { name: 'Send the link' }));
    const email = screen.getByLabelText('Email address');
    expect(email.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(email.getAttribute('aria-describedby') ?? '')?.textContent).toContain('Enter an email address');
    expect(server.requests).toHaveLength(0);
  });

  it('says how long to wait when throttled', async () => {
    new FakeServer().on('POST /auth/recovery', { status: 429, body: { error: 'too_many_attempts', retry_after: 60 } }).install();
    const user = userEvent.setup();
    render();
    await user.type(screen.getByLabelText('Email address'), 'ada@example.com');
    await user.click(screen.getByRole('button', { name: 'Send the link' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Wait 60 seconds');
  });
});
