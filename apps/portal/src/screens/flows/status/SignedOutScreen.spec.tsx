import { screen } from '@testing-library/react';
import { renderScreen } from '../../../test/render';
import SignedOutScreen from './SignedOutScreen';

describe('SignedOutScreen', () => {
  it('says the person signed out, focuses the heading, and offers to sign in again', () => {
    renderScreen({ url: '/signed-out', element: <SignedOutScreen /> });
    const heading = screen.getByRole('heading', { level: 1 });
    expect(heading.textContent).toBe('You have signed out');
    expect(document.activeElement).toBe(heading);
    expect(document.title).toBe('You have signed out · Tessera');
    expect(screen.getByRole('link', { name: 'Sign in again' }).getAttribute('href')).toBe('/account');
  });

  it('renders in French', () => {
    renderScreen({ url: '/signed-out', element: <SignedOutScreen />, locale: 'fr' });
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Vous êtes déconnecté');
    expect(screen.getByRole('link', { name: 'Se reconnecter' })).toBeTruthy();
  });
});
