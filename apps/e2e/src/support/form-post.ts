/** The five characters the platform's HTML escaping replaces, and back. */
const ENTITIES: Record<string, string> = { '&quot;': '"', '&#39;': "'", '&lt;': '<', '&gt;': '>', '&amp;': '&' };
const unescapeHtml = (s: string) => s.replace(/&(?:quot|#39|lt|gt|amp);/g, (e) => ENTITIES[e]);

export interface FormPostResponse {
  /** Where the page's form POSTs to (the client's redirect URI). */
  action: string;
  method: string;
  /** The hidden inputs, in order: the authorization response parameters. */
  params: URLSearchParams;
}

/**
 * Reads an OAuth 2.0 Form Post Response Mode page the way a browser would submit it: the first
 * form's action and method and its hidden inputs. Throws if the page holds no such form.
 */
export function parseFormPost(html: string): FormPostResponse {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error(`no form in the page: ${html.slice(0, 200)}`);
  const attribute = (tag: string, name: string) => {
    const match = new RegExp(`\\b${name}="([^"]*)"`, 'i').exec(tag);
    return match ? unescapeHtml(match[1]) : undefined;
  };
  const action = attribute(form[1], 'action');
  if (!action) throw new Error('the form has no action');
  const params = new URLSearchParams();
  for (const input of form[2].matchAll(/<input\b[^>]*>/gi)) {
    if (attribute(input[0], 'type')?.toLowerCase() !== 'hidden') continue;
    const name = attribute(input[0], 'name');
    if (name !== undefined) params.append(name, attribute(input[0], 'value') ?? '');
  }
  return { action, method: (attribute(form[1], 'method') ?? 'get').toLowerCase(), params };
}

/** The POST a browser makes when it submits the form: what the client's redirect URI receives. */
export function formPostRequest(page: FormPostResponse): Request {
  return new Request(page.action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: page.params.toString(),
  });
}
