import { screen } from '@testing-library/react';
import { renderScreen } from '../../../test/render';
import ErrorScreen from './ErrorScreen';

const render = (query: string) => renderScreen({ url: `/error${query}`, path: '/error', element: <ErrorScreen /> });

describe('ErrorScreen', () => {
  it.each([
    ['access_denied', 'Access was not granted', 'Go back to the application to try again.'],
    ['login_required', 'You need to sign in', 'Go back to the application and sign in.'],
    ['invalid_request', 'The request could not be processed', 'contact the application’s support'],
    ['server_error', 'Tessera ran into a problem', 'Wait a moment'],
    ['temporarily_unavailable', 'Tessera ran into a problem', 'Wait a moment'],
    ['something_new', 'Something went wrong', 'The sign-in could not be completed.'],
  ])('says what %s means and what to do', (code, title, body) => {
    render(`?error=${code}`);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe(title);
    expect(screen.getByText(new RegExp(body))).toBeTruthy();
    expect(screen.getByText(code).tagName).toBe('CODE');
    expect(screen.getByRole('link', { name: 'Go to my account' }).getAttribute('href')).toBe('/account');
  });

  it('shows the description only among the technical details', () => {
    render('?error=access_denied&error_description=The+user+cancelled+the+sign-in.');
    const details = screen.getByText('Technical details').closest('details');
    expect(details?.textContent).toContain('The user cancelled the sign-in.');
    expect(details?.hasAttribute('open')).toBe(false);
  });

  it('treats a name of the object prototype as an unknown code', () => {
    render('?error=constructor');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Something went wrong');
  });

  it('shows no code that is not one, and a generic page without any', () => {
    render('?error=%3Cscript%3E');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Something went wrong');
    expect(screen.queryByText('Technical details')).toBeNull();
  });
});
