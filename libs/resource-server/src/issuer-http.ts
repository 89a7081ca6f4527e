import { IssuerUnavailableError } from './token-error';

/** How long one call to the authorization server may take before the request gives up. */
export const ISSUER_TIMEOUT_MS = 5_000;

/** Discovery documents and introspection answers are small; anything bigger is refused unread. */
export const MAX_ISSUER_RESPONSE_BYTES = 256 * 1024;

export type FetchLike = typeof fetch;

export interface IssuerResponse {
  status: number;
  contentType: string;
  body: string;
}

/**
 * One call to the authorization server: a timeout, no redirects (a redirect would send the
 * resource server's client credentials, or the token, somewhere it was not configured to send
 * them) and a size limit. Transport failures become IssuerUnavailableError naming `what`; the
 * request body (which holds the token) is never part of a message.
 */
export async function callIssuer(fetchImpl: FetchLike, url: string, init: RequestInit, what: string): Promise<IssuerResponse> {
  let res: Response;
  try {
    res = await fetchImpl(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(ISSUER_TIMEOUT_MS) });
  } catch (err) {
    throw new IssuerUnavailableError(`${what} at ${url} could not be reached (${describe(err)})`, { cause: err });
  }
  let body: string;
  try {
    body = await readLimited(res, MAX_ISSUER_RESPONSE_BYTES);
  } catch (err) {
    throw new IssuerUnavailableError(`${what} at ${url} sent an unreadable answer (${describe(err)})`, { cause: err });
  }
  return { status: res.status, contentType: (res.headers.get('content-type') ?? '').toLowerCase(), body };
}

/** Parses a JSON object body, or throws IssuerUnavailableError naming `what`. */
export function jsonObject(response: IssuerResponse, url: string, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body);
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new IssuerUnavailableError(`${what} at ${url} did not answer with a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

async function readLimited(res: Response, limit: number): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`body larger than ${limit} bytes`);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new Error(`body larger than ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${err.name}${cause}`;
  }
  return 'unknown error';
}
