/**
 * An error the admin API answers with, as RFC 9457 problem details: `type` names the kind of
 * problem (a URN of ours, stable for scripts to match on), `title` its summary, `detail` this
 * occurrence in words a person can act on, plus members of our own (`errors` for validation).
 */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'Problem';
  }

  static badRequest(detail: string, extra?: Record<string, unknown>) {
    return new Problem(400, 'invalid_request', detail, extra);
  }

  static notFound(detail: string) {
    return new Problem(404, 'not_found', detail);
  }

  static conflict(detail: string) {
    return new Problem(409, 'conflict', detail);
  }

  static unavailable(detail: string) {
    return new Problem(503, 'temporarily_unavailable', detail);
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Not authenticated',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Request too large',
  415: 'Unsupported media type',
  422: 'Unprocessable request',
  500: 'Internal error',
  502: 'Bad gateway',
  503: 'Temporarily unavailable',
};

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const problemType = (code: string) => `urn:tessera:problem:${code}`;

export function problemBody(status: number, code: string, detail: string, extra: Record<string, unknown> = {}) {
  return { type: problemType(code), title: TITLES[status] ?? 'Error', status, detail, ...extra };
}
