import { safeHttpUrl, safeImageUrl } from './safe-url';

describe('safe URLs from a client registration', () => {
  it('makes links of http(s) addresses only', () => {
    expect(safeHttpUrl('https://app.example/tos')).toBe('https://app.example/tos');
    expect(safeHttpUrl('http://app.example/')).toBe('http://app.example/');
    expect(safeHttpUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeHttpUrl('not a url')).toBeUndefined();
    expect(safeHttpUrl(undefined)).toBeUndefined();
  });

  it('makes images of https addresses only, as the Content-Security-Policy allows', () => {
    expect(safeImageUrl('https://app.example/logo.png')).toBe('https://app.example/logo.png');
    expect(safeImageUrl('http://app.example/logo.png')).toBeUndefined();
    expect(safeImageUrl('data:image/png;base64,AAAA')).toBeUndefined();
  });
});
