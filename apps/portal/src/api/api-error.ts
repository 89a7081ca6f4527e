/**
 * Every failed call, whatever answered it, as one error the screens can act on: the flow and
 * account APIs' `{ error, error_description }` (with `retry_after`, `max_age`), the admin API's
 * RFC 9457 problem details (`urn:tessera:problem:<code>`, `detail`, `errors`), or no answer at all.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** A stable machine code: `invalid_credentials`, `not_found`, `network_error`, … */
    readonly code: string,
    /** The server's description, in English: shown only when the catalogue has nothing better. */
    readonly description: string,
    readonly body: Record<string, unknown> = {},
  ) {
    super(description || code);
    this.name = 'ApiError';
  }

  /** Seconds to wait (`too_many_attempts`). */
  get retryAfter(): number | undefined {
    const value = this.body['retry_after'];
    return typeof value === 'number' ? value : undefined;
  }

  /** The sign-in age the call needs (`reauthentication_required`). */
  get maxAge(): number | undefined {
    const value = this.body['max_age'];
    return typeof value === 'number' ? value : undefined;
  }

  /** Per-field messages of a validation problem, when the server gave them. */
  get fieldErrors(): Record<string, string> {
    const errors = this.body['errors'];
    const out: Record<string, string> = {};
    if (Array.isArray(errors)) {
      for (const e of errors) {
        if (e && typeof e === 'object' && typeof e.field === 'string' && typeof e.message === 'string') out[e.field] = e.message;
      }
    } else if (errors && typeof errors === 'object') {
      for (const [field, message] of Object.entries(errors)) if (typeof message === 'string') out[field] = message;
    }
    return out;
  }
}

export const isApiError = (value: unknown, code?: string): value is ApiError => value instanceof ApiError && (code === undefined || value.code === code);

/** Reads a non-2xx answer into an ApiError, never throwing on a body that is not JSON. */
export async function errorFrom(response: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    const text = await response.text();
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = {};
  }
  const problemType = typeof body['type'] === 'string' ? (body['type'] as string) : '';
  const code =
    typeof body['error'] === 'string'
      ? (body['error'] as string)
      : problemType.startsWith('urn:tessera:problem:')
        ? problemType.slice('urn:tessera:problem:'.length)
        : response.status >= 500
          ? 'server_error'
          : `http_${response.status}`;
  const description = [body['error_description'], body['detail'], body['title']].find((v): v is string => typeof v === 'string') ?? '';
  return new ApiError(response.status, code, description, body);
}

export const networkError = () => new ApiError(0, 'network_error', 'The server could not be reached.');
