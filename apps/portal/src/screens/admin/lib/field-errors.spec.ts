import { ApiError } from '../../../api/api-error';
import { fieldErrorsOf } from './field-errors';

const problem = (detail: string, extra: Record<string, unknown> = {}) => new ApiError(400, 'invalid_request', detail, { detail, ...extra });

describe('fieldErrorsOf', () => {
  it('takes the problem\'s own errors, as an object or a list, by the field\'s first segment', () => {
    expect(fieldErrorsOf(problem('x', { errors: { client_name: 'Taken.' } }), ['client_name'])).toEqual({ client_name: 'Taken.' });
    expect(fieldErrorsOf(problem('x', { errors: [{ field: 'redirect_uris[1]', message: 'Bad.' }] }), ['redirect_uris'])).toEqual({ redirect_uris: 'Bad.' });
  });

  it('reads "field: message" parts after a preamble', () => {
    expect(fieldErrorsOf(problem('Invalid upstream provider: issuer: must be an https URL; claim_mapping.sub: "x" cannot be set; client_id: is required.'), ['issuer', 'client_id'])).toEqual({
      issuer: 'Must be an https URL.',
      client_id: 'Is required.',
    });
  });

  it('gives a sentence that starts with a field\'s name to that field, through aliases', () => {
    const error = problem('redirect_uri "http://app.example/cb" must use https (http is only allowed for loopback addresses).', { reason: 'invalid_redirect_uri' });
    expect(fieldErrorsOf(error, ['redirect_uris'], { redirect_uri: 'redirect_uris' })).toEqual({
      redirect_uris: 'redirect_uri "http://app.example/cb" must use https (http is only allowed for loopback addresses).',
    });
  });

  it('falls back on the error code naming the field, and leaves what names no field to the general alert', () => {
    expect(fieldErrorsOf(problem('Nope, not like that.', { reason: 'invalid_redirect_uri' }), ['redirect_uris'], { invalid_redirect_uri: 'redirect_uris' })).toEqual({
      redirect_uris: 'Nope, not like that.',
    });
    expect(fieldErrorsOf(problem('A public client cannot use client_credentials.'), ['grant_types'])).toEqual({});
    expect(fieldErrorsOf(new Error('boom'), ['grant_types'])).toEqual({});
  });
});
