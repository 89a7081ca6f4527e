import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { escapeHtml } from '../http/html';
import type { ResponseMode } from './response-mode';

const SCRIPT = 'document.forms[0].submit();';
const SCRIPT_HASH = `'sha256-${createHash('sha256').update(SCRIPT).digest('base64')}'`;

/**
 * OAuth 2.0 Form Post Response Mode: a page that POSTs the parameters to the redirect URI, so
 * they never appear in a URL. The only script allowed is the one-line auto-submit (CSP hash).
 */
export class FormPostResponseMode implements ResponseMode {
  readonly name = 'form_post' as const;

  send(reply: FastifyReply, redirectUri: string, params: Record<string, string>) {
    const inputs = Object.entries(params)
      .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
      .join('');
    const html = `<!doctype html><html><head><meta charset="utf-8"><title>Continuing…</title></head><body><form method="post" action="${escapeHtml(redirectUri)}">${inputs}<noscript><button type="submit">Continue</button></noscript></form><script>${SCRIPT}</script></body></html>`;
    void reply
      .code(200)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', `default-src 'none'; script-src ${SCRIPT_HASH}; form-action ${new URL(redirectUri).origin}; frame-ancestors 'none'`)
      .header('referrer-policy', 'no-referrer')
      .send(html);
  }
}
