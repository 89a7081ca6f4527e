import { createLogger, PinoNestLogger, redactUrl } from './logger';

function paramsOf(url: string): URLSearchParams {
  return new URLSearchParams(url.slice(url.indexOf('?') + 1));
}

describe('redactUrl', () => {
  it.each([
    'code',
    'state',
    'login_challenge',
    'consent_challenge',
    'logout_challenge',
    'code_verifier',
    'client_secret',
    'client_assertion',
    'refresh_token',
    'access_token',
    'id_token_hint',
    'token',
    'password',
    'request',
    'request_uri',
    'login_hint',
  ])('replaces the value of %s and keeps the other parameters', (param) => {
    const url = `/oauth2/callback?client_id=web-app&${param}=s3cr3t-value&scope=openid+profile`;

    const redacted = redactUrl(url);

    expect(redacted).not.toContain('s3cr3t-value');
    expect(redacted.startsWith('/oauth2/callback?')).toBe(true);
    const params = paramsOf(redacted);
    expect(params.get(param)).toBe('[redacted]');
    expect(params.get('client_id')).toBe('web-app');
    expect(params.get('scope')).toBe('openid profile');
  });

  it('redacts the challenge in a path of the internal challenge API, and nothing else of the path', () => {
    expect(redactUrl('/internal/challenges/AWM0x-secret_value')).toBe('/internal/challenges/[redacted]');
    expect(redactUrl('/internal/challenges/AWM0x-secret_value/accept?x=1')).toBe('/internal/challenges/[redacted]/accept?x=1');
    expect(redactUrl('/internal/clients/app-1')).toBe('/internal/clients/app-1');
    expect(redactUrl('/oauth2/internal/challenges/x')).toBe('/oauth2/internal/challenges/x');
  });

  it('redacts every occurrence of a repeated sensitive parameter', () => {
    const redacted = redactUrl('/cb?code=first-code&code=second-code');

    expect(redacted).not.toContain('first-code');
    expect(redacted).not.toContain('second-code');
    expect(paramsOf(redacted).getAll('code')).toEqual(['[redacted]']);
  });

  it('leaves a URL without sensitive parameters untouched, byte for byte', () => {
    const url = '/oauth2/authorize?response_type=code%20id_token&client_id=a&redirect_uri=https%3A%2F%2Fapp.test%2Fcb';

    expect(redactUrl(url)).toBe(url);
  });

  it('leaves a URL without a query untouched', () => {
    expect(redactUrl('/oauth2/token')).toBe('/oauth2/token');
  });

  it('matches parameter names exactly, so code_challenge and client_id stay readable', () => {
    const redacted = redactUrl('/oauth2/authorize?code_challenge=abc&code_challenge_method=S256&client_id=x&code=c0de');

    const params = paramsOf(redacted);
    expect(params.get('code_challenge')).toBe('abc');
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('client_id')).toBe('x');
    expect(params.get('code')).toBe('[redacted]');
  });
});

describe('createLogger', () => {
  function capture() {
    const lines: string[] = [];
    const logger = createLogger('trace', { write: (line: string) => void lines.push(line) });
    const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    return { logger, lines, records };
  }

  it('redacts client_secret and password at the top level and one level deep', () => {
    const { logger, lines, records } = capture();

    logger.info({ client_secret: 'cs-top', body: { client_secret: 'cs-nested', password: 'pw-nested', grant_type: 'password' } }, 'token request');
    logger.info({ password: 'pw-top' }, 'login');

    expect(lines.join('')).not.toMatch(/cs-top|cs-nested|pw-nested|pw-top/);
    const [first, second] = records();
    expect(first['client_secret']).toBe('[redacted]');
    expect(first['body']).toEqual({ client_secret: '[redacted]', password: '[redacted]', grant_type: 'password' });
    expect(second['password']).toBe('[redacted]');
  });

  it('never writes the authorization header or the cookie of a logged request', () => {
    const { logger, lines, records } = capture();

    logger.info(
      { req: { id: 'r1', method: 'POST', url: '/oauth2/token', headers: { authorization: 'Basic Y2xpZW50OnNlY3JldA==', cookie: 'op_session=abc123' } } },
      'request',
    );

    expect(lines.join('')).not.toContain('Y2xpZW50OnNlY3JldA==');
    expect(lines.join('')).not.toContain('abc123');
    expect(records()[0]['req']).toEqual({ id: 'r1', method: 'POST', url: '/oauth2/token' });
  });

  it('redacts the sensitive query parameters of a logged request URL', () => {
    const { logger, lines, records } = capture();

    logger.info({ req: { id: 'r2', method: 'GET', url: '/oauth2/authorize?client_id=a&state=st4te&login_challenge=ch4ll' } }, 'request');

    expect(lines.join('')).not.toMatch(/st4te|ch4ll/);
    const url = (records()[0]['req'] as { url: string }).url;
    expect(paramsOf(url).get('client_id')).toBe('a');
  });

  it('redacts the set-cookie header of a logged response', () => {
    const { logger, lines, records } = capture();

    logger.info({ res: { statusCode: 302, headers: { 'set-cookie': 'op_session=s3ss10n; HttpOnly', location: '/cb' } } }, 'response');

    expect(lines.join('')).not.toContain('s3ss10n');
    expect(records()[0]['res']).toEqual({ statusCode: 302, headers: { 'set-cookie': '[redacted]', location: '/cb' } });
  });

  it('keeps fields that are not secrets', () => {
    const { logger, records } = capture();

    logger.info({ client_id: 'web-app', grant_type: 'client_credentials' }, 'issued');

    expect(records()[0]).toMatchObject({ client_id: 'web-app', grant_type: 'client_credentials', msg: 'issued', service: 'tessera' });
  });

  it('writes nothing below its level', () => {
    const lines: string[] = [];
    const logger = createLogger('warn', { write: (line: string) => void lines.push(line) });

    logger.info('not written');
    logger.warn('written');

    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['written']);
  });
});

describe('PinoNestLogger', () => {
  it('writes Nest messages with their context into the JSON stream', () => {
    const lines: string[] = [];
    const nest = new PinoNestLogger(createLogger('info', { write: (line: string) => void lines.push(line) }));

    nest.log('module ready', 'InstanceLoader');
    nest.error('boom', 'stack here', 'ExceptionHandler');

    const [log, error] = lines.map((l) => JSON.parse(l));
    expect(log).toMatchObject({ msg: 'module ready', context: 'InstanceLoader', level: 30 });
    expect(error).toMatchObject({ msg: 'boom', context: 'ExceptionHandler', trace: 'stack here', level: 50 });
  });
});
