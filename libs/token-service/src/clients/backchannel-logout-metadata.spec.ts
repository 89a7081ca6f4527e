import { InvalidClientMetadataError, OAuthError } from '@tessera/oauth-errors';
import type { Client } from './client';
import { clientMetadataView, parseClientMetadata, type MetadataPolicy } from './client-metadata';

const dynamic: MetadataPolicy = {
  mode: 'dynamic',
  registrationScopes: ['openid'],
  defaults: { accessTokenTtl: 3600, refreshTokenTtl: 2_592_000 },
};
const managed: MetadataPolicy = { ...dynamic, mode: 'managed' };
const testing: MetadataPolicy = { ...managed, outboundAllowPrivate: true };
const WEB = { redirect_uris: ['https://app.example.com/cb'] };

const parse = (metadata: Record<string, unknown>, policy = managed) => parseClientMetadata({ ...WEB, ...metadata }, policy);

function errorOf(fn: () => unknown): OAuthError {
  try {
    fn();
  } catch (err) {
    if (err instanceof OAuthError) return err;
    throw err;
  }
  throw new Error('expected an OAuthError');
}

const viewOf = (props: ReturnType<typeof parse>) => clientMetadataView({ ...props, clientId: 'c', createdAt: 1, updatedAt: 1 } as Client);

/** OpenID Connect Back-Channel Logout 1.0 §2.2: backchannel_logout_uri and backchannel_logout_session_required. */
describe('back-channel logout client metadata', () => {
  it.each([dynamic, managed])('registers an https URI (query allowed) and the session requirement ($mode)', (policy) => {
    const props = parse({ backchannel_logout_uri: 'https://rp.example.com/logout?tenant=7', backchannel_logout_session_required: true }, policy);
    expect(props).toMatchObject({ backchannelLogoutUri: 'https://rp.example.com/logout?tenant=7', backchannelLogoutSessionRequired: true });
    expect(viewOf(props)).toMatchObject({ backchannel_logout_uri: 'https://rp.example.com/logout?tenant=7', backchannel_logout_session_required: true });
  });

  it('echoes session_required as false when the URI is registered without it, and nothing when neither is', () => {
    expect(viewOf(parse({ backchannel_logout_uri: 'https://rp.example.com/logout' }))).toMatchObject({ backchannel_logout_session_required: false });
    const none = viewOf(parse({}));
    expect(none).not.toHaveProperty('backchannel_logout_uri');
    expect(none).not.toHaveProperty('backchannel_logout_session_required');
  });

  it.each([
    ['a relative URI', 'logout'],
    ['a fragment', 'https://rp.example.com/logout#x'],
    ['an empty fragment', 'https://rp.example.com/logout#'],
    ['plain http', 'http://rp.example.com/logout'],
    ['plain http on loopback without TESSERA_OUTBOUND_ALLOW_PRIVATE', 'http://127.0.0.1:8080/logout'],
    ['credentials', 'https://user:pw@rp.example.com/logout'],
    ['another scheme', 'javascript:alert(1)'],
    ['not a string', 42],
  ])('refuses %s', (_what, uri) => {
    const err = errorOf(() => parse({ backchannel_logout_uri: uri }));
    expect(err).toBeInstanceOf(InvalidClientMetadataError);
    expect(err.message).toMatch(/backchannel_logout_uri/);
  });

  it('allows http on a loopback host only when outbound requests may reach private addresses (tests)', () => {
    for (const uri of ['http://127.0.0.1:8080/logout', 'http://localhost:8080/logout', 'http://[::1]:8080/logout']) {
      expect(parse({ backchannel_logout_uri: uri }, testing).backchannelLogoutUri).toBe(uri);
    }
    expect(() => parse({ backchannel_logout_uri: 'http://rp.example.com/logout' }, testing)).toThrow(InvalidClientMetadataError);
  });

  it('refuses a session requirement that is not a boolean', () => {
    expect(() => parse({ backchannel_logout_uri: 'https://rp.example.com/l', backchannel_logout_session_required: 'yes' })).toThrow(
      /backchannel_logout_session_required must be true or false/,
    );
  });
});
