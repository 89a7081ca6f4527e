/**
 * An error of the authentication flow and account APIs: a stable machine code for the portal
 * (`error`), a sentence a person can act on (`error_description`), and sometimes what to do
 * next (a second factor to ask for, when to retry). `detail` is logged, never sent.
 */
export type FlowErrorCode =
  | 'invalid_request'
  | 'invalid_credentials'
  | 'csrf_check_failed'
  | 'login_required'
  | 'reauthentication_required'
  | 'second_factor_required'
  | 'too_many_attempts'
  | 'weak_password'
  | 'not_found'
  | 'conflict'
  | 'forbidden'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'signup_disabled'
  | 'last_sign_in_method'
  | 'invalid_link'
  | 'temporarily_unavailable';

const STATUS: Record<FlowErrorCode, number> = {
  invalid_request: 400,
  invalid_credentials: 401,
  csrf_check_failed: 403,
  login_required: 401,
  reauthentication_required: 403,
  second_factor_required: 401,
  too_many_attempts: 429,
  weak_password: 400,
  not_found: 404,
  conflict: 409,
  forbidden: 403,
  invalid_token: 401,
  insufficient_scope: 403,
  signup_disabled: 403,
  last_sign_in_method: 409,
  invalid_link: 400,
  temporarily_unavailable: 503,
};

export class FlowError extends Error {
  readonly status: number;
  constructor(
    readonly code: FlowErrorCode,
    readonly description: string,
    readonly extra: Record<string, unknown> = {},
    readonly detail?: string,
  ) {
    super(`${code}: ${description}`);
    this.name = 'FlowError';
    this.status = STATUS[code];
  }

  toJSON() {
    return { error: this.code, error_description: this.description, ...this.extra };
  }
}
