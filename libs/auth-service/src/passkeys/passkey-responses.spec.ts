import { FlowError } from '../http/flow-error';
import { challengeOf, knownTransports, parseAuthenticationResponse } from './passkey-responses';
import { passkeyName } from './passkeys.service';

const clientData = (value: unknown) => ({ response: { clientDataJSON: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url') } });

describe('passkey responses', () => {
  it('reads the answered challenge from clientDataJSON, and refuses anything else as a 400', () => {
    expect(challengeOf(clientData({ type: 'webauthn.get', challenge: 'abc_DEF-123' }))).toBe('abc_DEF-123');
    for (const bad of [clientData('not json'), clientData(null), clientData({}), clientData({ challenge: 42 }), clientData({ challenge: 'a+b/c=' }), clientData({ challenge: 'x'.repeat(129) })]) {
      expect(() => challengeOf(bad)).toThrow(FlowError);
    }
  });

  it('accepts an assertion JSON with only the fields WebAuthn defines, and refuses a wrong shape', () => {
    const valid = { id: 'AQID', rawId: 'AQID', type: 'public-key', response: { clientDataJSON: 'e30', authenticatorData: 'AA', signature: 'AA' } };
    expect(parseAuthenticationResponse({ ...valid, extra: 1 })).toEqual({ ...valid, clientExtensionResults: {} });
    for (const bad of [null, [], { ...valid, type: 'password' }, { ...valid, id: 'a b' }, { ...valid, response: { ...valid.response, signature: undefined } }]) {
      expect(() => parseAuthenticationResponse(bad)).toThrow(expect.objectContaining({ code: 'invalid_request' }));
    }
  });

  it('keeps only known transports, once each', () => {
    expect(knownTransports(['usb', 'usb', 'warp-drive', 'hybrid'])).toEqual(['usb', 'hybrid']);
    expect(knownTransports(undefined)).toEqual([]);
  });

  it('takes a trimmed name of 1 to 64 characters without control characters', () => {
    expect(passkeyName('  Laptop  ')).toBe('Laptop');
    expect(passkeyName(undefined, 'Passkey')).toBe('Passkey');
    for (const bad of [undefined, '', ' ', 'x'.repeat(65), 'line\nbreak', 7, null]) expect(() => passkeyName(bad)).toThrow(FlowError);
  });
});
