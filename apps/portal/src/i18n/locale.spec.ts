import { interpolate, pickLocale } from './locale';

describe('pickLocale', () => {
  it('takes the first supported language of ui_locales, by primary subtag', () => {
    expect(pickLocale('de-DE fr-CA en', ['en-US'])).toBe('fr');
  });
  it('falls back to the browser languages, then English', () => {
    expect(pickLocale(undefined, ['es', 'fr-FR'])).toBe('fr');
    expect(pickLocale('ja', ['zh'])).toBe('en');
  });
});

describe('interpolate', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(interpolate('Wait {seconds} s, {who}', { seconds: 30 })).toBe('Wait 30 s, {who}');
  });
});
