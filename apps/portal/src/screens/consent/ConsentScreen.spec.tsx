import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { FakeServer } from '../../test/fake-server';
import { renderScreen, setCsrfCookie } from '../../test/render';
import type { ConsentView } from './consent-api';
import ConsentScreen from './ConsentScreen';
import { navigateTo } from '../../navigation/navigate-to';

jest.mock('../../navigation/navigate-to', () => ({ navigateTo: jest.fn() }));

const view = (over: Partial<ConsentView> = {}): ConsentView => ({
  consent_challenge: 'ch-1',
  client: {
    client_id: 'photos',
    client_name: 'Photo Print',
    logo_uri: 'https://photos.example/logo.png',
    client_uri: 'https://photos.example',
    policy_uri: 'https://photos.example/privacy',
    tos_uri: 'javascript:alert(1)',
  },
  requested_scope: ['openid', 'email', 'photos:read', 'offline_access'],
  scope_details: [
    { name: 'openid', description: 'Sign you in and learn your account identifier', claims: ['sub'] },
    { name: 'email', description: 'Your email address and whether it is verified', claims: ['email', 'email_verified'] },
    { name: 'photos:read', description: 'See your photo albums', claims: [] },
    { name: 'offline_access', description: 'Keep access to your data while you are not using the app', claims: [] },
  ],
  required_scope: ['openid', 'photos:read'],
  optional_scope: ['email', 'offline_access'],
  ...over,
});

function serve(answer: { status?: number; body: unknown }) {
  return new FakeServer()
    .on('GET /auth/consent', answer)
    .on('POST /auth/consent/accept', { body: { redirect_to: 'https://id.example/oauth2/authorize/resume?challenge=ch-1' } })
    .on('POST /auth/consent/reject', { body: { redirect_to: 'https://id.example/oauth2/authorize/resume?challenge=ch-1&r' } })
    .install();
}

const open = (url = '/consent?consent_challenge=ch-1', locale: 'en' | 'fr' = 'en') => renderScreen({ url, path: '/consent', element: <ConsentScreen />, locale });

beforeEach(() => {
  jest.mocked(navigateTo).mockReset();
  setCsrfCookie();
});

describe('ConsentScreen', () => {
  it('shows the app, its links and each scope in words, reading the challenge from the URL', async () => {
    const server = serve({ body: view() });
    open();
    const title = await screen.findByRole('heading', { level: 1, name: 'Photo Print wants to access your account' });
    expect(document.activeElement).toBe(title);
    expect(server.sent('GET /auth/consent')[0].query.get('consent_challenge')).toBe('ch-1');

    const logo = document.querySelector('img') as HTMLImageElement;
    expect(logo.getAttribute('src')).toBe('https://photos.example/logo.png');
    expect(logo.getAttribute('alt')).toBe('');
    const links = screen.getByRole('list', { name: 'About Photo Print' });
    const website = screen.getByRole('link', { name: 'Website' });
    expect(website.getAttribute('href')).toBe('https://photos.example/');
    expect(website.getAttribute('rel')).toBe('noopener noreferrer');
    expect(screen.getByRole('link', { name: 'Privacy policy' }).getAttribute('rel')).toBe('noopener noreferrer');
    // A javascript: URL never becomes a link.
    expect(screen.queryByRole('link', { name: 'Terms of service' })).toBeNull();
    expect(links.querySelectorAll('a')).toHaveLength(2);

    // Standard scopes from the catalogue, the deployment's own from the server.
    expect(screen.getByRole('checkbox', { name: /See your email address and whether it is verified/ })).toBeTruthy();
    expect(screen.getByRole('checkbox', { name: /See your photo albums/ })).toBeTruthy();
    expect(screen.getByRole('checkbox', { name: /Keep access to your data while you are not using it/ })).toBeTruthy();
  });

  it('keeps required scopes ticked and disabled, with who requires them', async () => {
    serve({ body: view() });
    open();
    const openid = await screen.findByRole('checkbox', { name: /Sign you in/ });
    expect((openid as HTMLInputElement).checked).toBe(true);
    expect((openid as HTMLInputElement).disabled).toBe(true);
    const hintId = openid.getAttribute('aria-describedby') as string;
    expect(document.getElementById(hintId)?.textContent).toBe('Required by Photo Print');
    await userEvent.click(openid);
    expect((openid as HTMLInputElement).checked).toBe(true);
    const email = screen.getByRole('checkbox', { name: /email address/ }) as HTMLInputElement;
    expect(email.disabled).toBe(false);
    expect(email.getAttribute('aria-describedby')).toBeNull();
  });

  it('Allow with one optional scope unticked grants exactly the others, then leaves for the token service', async () => {
    const server = serve({ body: view() });
    open();
    await userEvent.click(await screen.findByRole('checkbox', { name: /email address/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Allow' }));
    await waitFor(() => expect(navigateTo).toHaveBeenCalledWith('https://id.example/oauth2/authorize/resume?challenge=ch-1'));
    const [sent] = server.sent('POST /auth/consent/accept');
    expect(sent.body).toEqual({ consent_challenge: 'ch-1', grant_scope: ['openid', 'photos:read', 'offline_access'], remember: true });
    expect(sent.headers.get('x-csrf-token')).toBe('csrf-test');
  });

  it('keeps focus on the pressed button while leaving: it is busy, not disabled', async () => {
    serve({ body: view() });
    open();
    const allow = await screen.findByRole('button', { name: 'Allow' });
    await userEvent.click(allow);
    await waitFor(() => expect(navigateTo).toHaveBeenCalled());
    expect(allow.getAttribute('aria-busy')).toBe('true');
    expect((allow as HTMLButtonElement).disabled).toBe(false);
    expect(document.activeElement).toBe(allow);
    expect((screen.getByRole('button', { name: 'Deny' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('never follows a non-web address from the API (javascript:)', async () => {
    const real = jest.requireActual<typeof import('../../navigation/navigate-to')>('../../navigation/navigate-to');
    jest.mocked(navigateTo).mockImplementation(real.navigateTo);
    const server = serve({ body: view() });
    server.on('POST /auth/consent/accept', { body: { redirect_to: 'javascript:alert(document.domain)' } });
    open();
    await userEvent.click(await screen.findByRole('button', { name: 'Allow' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Tessera ran into a problem on its side. Try again in a moment.');
  });

  it('sends remember: false when the person unticks it', async () => {
    const server = serve({ body: view() });
    open();
    await userEvent.click(await screen.findByRole('checkbox', { name: 'Remember this decision' }));
    await userEvent.click(screen.getByRole('button', { name: 'Allow' }));
    await waitFor(() => expect(server.sent('POST /auth/consent/accept')).toHaveLength(1));
    expect(server.sent('POST /auth/consent/accept')[0].body).toMatchObject({ grant_scope: ['openid', 'email', 'photos:read', 'offline_access'], remember: false });
  });

  it('Deny posts the rejection and follows its redirect', async () => {
    const server = serve({ body: view() });
    open();
    await userEvent.click(await screen.findByRole('button', { name: 'Deny' }));
    await waitFor(() => expect(navigateTo).toHaveBeenCalledWith('https://id.example/oauth2/authorize/resume?challenge=ch-1&r'));
    expect(server.sent('POST /auth/consent/reject')[0].body).toEqual({ consent_challenge: 'ch-1' });
    expect(server.sent('POST /auth/consent/accept')).toHaveLength(0);
  });

  it('names a scope nobody explains, and lists the requested resources and claims', async () => {
    serve({
      body: view({
        requested_scope: ['openid', 'calendar:write'],
        scope_details: [{ name: 'calendar:write', claims: [] }],
        required_scope: [],
        requested_resource: ['https://api.example/calendar'],
        requested_claims: { userinfo: ['given_name'], id_token: ['given_name', 'picture'] },
      }),
    });
    open();
    expect(await screen.findByRole('checkbox', { name: 'calendar:write' })).toBeTruthy();
    expect(screen.getByText('https://api.example/calendar')).toBeTruthy();
    expect(screen.getByText('It also asks for these details: given_name, picture.')).toBeTruthy();
  });

  it.each([
    ['login_required', 401, 'Your sign-in has expired'],
    ['forbidden', 403, 'This request is for another account'],
    ['not_found', 404, 'This request has expired'],
  ])('answers %s with a page saying what to do', async (error, status, title) => {
    serve({ status, body: { error, error_description: 'x' } });
    open();
    expect(await screen.findByRole('heading', { level: 1, name: title })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Allow' })).toBeNull();
  });

  it('shows the expired page when the request expires before Allow', async () => {
    const server = serve({ body: view() });
    server.on('POST /auth/consent/accept', { status: 404, body: { error: 'not_found', error_description: 'No such challenge.' } });
    open();
    await userEvent.click(await screen.findByRole('button', { name: 'Allow' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'This request has expired' })).toBeTruthy();
    expect(navigateTo).not.toHaveBeenCalled();
  });

  it('keeps the form with the server’s reason when Allow is refused for something to fix', async () => {
    const server = serve({ body: view() });
    server.on('POST /auth/consent/accept', { status: 400, body: { error: 'invalid_request', error_description: 'The challenge belongs to another browser session.' } });
    open();
    await userEvent.click(await screen.findByRole('button', { name: 'Allow' }));
    expect((await screen.findByRole('alert')).textContent).toContain('The challenge belongs to another browser session.');
    expect(screen.getByRole('button', { name: 'Allow' })).toBeTruthy();
  });

  it('without a challenge, says where to start and asks the server nothing', async () => {
    const server = serve({ body: view() });
    open('/consent');
    expect(await screen.findByRole('heading', { level: 1, name: 'Nothing to approve here' })).toBeTruthy();
    expect(server.requests).toHaveLength(0);
  });

  it('follows the request’s ui_locales: French page, French standard scopes', async () => {
    serve({ body: view({ ui_locales: ['fr-CA', 'en'] }) });
    open();
    expect(await screen.findByRole('heading', { level: 1, name: 'Photo Print demande l’accès à votre compte' })).toBeTruthy();
    expect(screen.getByRole('checkbox', { name: /Voir votre adresse e-mail/ })).toBeTruthy();
    expect(screen.getByRole('checkbox', { name: /Vous connecter/ }).getAttribute('aria-describedby')).toBeTruthy();
    expect(screen.getAllByText('Exigé par Photo Print')).toHaveLength(2);
    // The deployment's own scope keeps the server's words.
    expect(screen.getByRole('checkbox', { name: /See your photo albums/ })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Autoriser' })).toBeTruthy();
  });
});
