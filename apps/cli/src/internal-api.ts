import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from './errors';

/**
 * The operator's access to a platform running on this machine: its internal API, with the
 * `operator` credential derived from the internal secret (the same derivation as
 * libs/runtime/src/http/internal-credentials.ts; the CLI stays free of the server's code so
 * that it starts in a blink).
 */
export class InternalApi {
  private readonly authorization: string;

  constructor(
    private readonly baseUrl: string,
    internalSecret: string,
  ) {
    this.authorization = `Bearer operator.${createHmac('sha256', internalSecret).update('tessera-internal:operator').digest('base64url')}`;
  }

  /** From the same environment the platform reads (TESSERA_DATA_DIR, TESSERA_INTERNAL_SECRET, TESSERA_INTERNAL_HOST/PORT). */
  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): InternalApi {
    const dataDir = env['TESSERA_DATA_DIR'] ?? 'var';
    // Trimmed: the platform accepts its secret trimmed as well as given (libs/runtime/src/config/platform-config.ts).
    let secret = env['TESSERA_INTERNAL_SECRET']?.trim();
    if (!secret) {
      try {
        secret = readFileSync(join(dataDir, 'internal.secret'), 'utf8').trim();
      } catch {
        throw new CliError(`No internal secret: set TESSERA_INTERNAL_SECRET, or TESSERA_DATA_DIR to the platform's data directory (tried ${join(dataDir, 'internal.secret')}).`);
      }
    }
    const host = env['TESSERA_INTERNAL_HOST'] ?? '127.0.0.1';
    return new InternalApi(`http://${host.includes(':') ? `[${host}]` : host}:${env['TESSERA_INTERNAL_PORT'] ?? 3001}`, secret);
  }

  async call(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { authorization: this.authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      throw new CliError(`The platform's internal API at ${this.baseUrl} does not answer (${(err as Error).message}). Is it running?`);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed };
  }
}
