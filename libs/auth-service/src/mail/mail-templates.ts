/**
 * The mails the authentication service sends, as plain text and minimal HTML. A template turns
 * its parameters into blocks (paragraphs and links); one renderer makes both bodies from them,
 * so escaping happens in one place. Links point to the portal's pages on the issuer's origin.
 */

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export interface MailContext {
  /** The public origin (the portal is served there): links are built on it. */
  issuer: string;
}

export type MailParams = Record<string, unknown>;

type Block = { text: string } | { link: string; label: string } | { code: string };
type Template = (params: MailParams, context: MailContext) => { subject: string; blocks: Block[] };

/** A template's parameters are wrong: sending cannot succeed however often it is retried. */
export class MailTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MailTemplateError';
  }
}

const TOKEN = /^[A-Za-z0-9_-]{20,256}$/;

function tokenParam(params: MailParams, template: string): string {
  const token = params['token'];
  if (typeof token !== 'string' || !TOKEN.test(token)) throw new MailTemplateError(`the ${template} mail needs a token`);
  return token;
}

const portalLink = (context: MailContext, page: string, token: string) => `${context.issuer.replace(/\/+$/, '')}/${page}?token=${encodeURIComponent(token)}`;

const TEMPLATES: Record<string, Template> = {
  'verify-email': (params, context) => {
    const change = params['change'] === true;
    return {
      subject: change ? 'Confirm your new email address' : 'Confirm your email address',
      blocks: [
        {
          text: change
            ? 'Someone (hopefully you) asked to use this address for their account. The change happens only when you open this link:'
            : 'Confirm that this address is yours by opening this link:',
        },
        { link: portalLink(context, 'verify-email', tokenParam(params, 'verify-email')), label: change ? 'Use this address' : 'Confirm my address' },
        { text: 'The link works once, for 24 hours.' },
        { text: change ? 'If you did not ask for this, ignore this mail: nothing changes without the link.' : 'If you did not create an account, ignore this mail.' },
      ],
    };
  },
  'reset-password': (params, context) => ({
    subject: 'Reset your password',
    blocks: [
      { text: 'Someone (hopefully you) asked to reset the password of the account that uses this address. Choose a new password here:' },
      { link: portalLink(context, 'reset-password', tokenParam(params, 'reset-password')), label: 'Choose a new password' },
      { text: 'The link works once, for 30 minutes. Resetting the password signs you out everywhere.' },
      { text: 'If you did not ask for this, ignore this mail: your password stays as it is.' },
    ],
  }),
  'email-changed': (params) => ({
    subject: 'Your email address was changed',
    blocks: [
      {
        text:
          typeof params['new_email'] === 'string'
            ? `The email address of your account was changed to ${params['new_email']}. Mail about the account goes there from now on.`
            : 'The email address of your account was changed. Mail about the account goes to the new address from now on.',
      },
      { text: 'If you did not make this change, contact your administrator at once.' },
    ],
  }),
  'signup-existing-account': (_params, context) => ({
    subject: 'Someone tried to sign up with your address',
    blocks: [
      { text: 'Someone (perhaps you) tried to create an account with this email address. You have an account with it already, so nothing was created.' },
      { text: 'If it was you: sign in instead. If you forgot your password, use "Forgot your password?" on the sign-in page:' },
      { link: context.issuer, label: 'Go to the sign-in page' },
      { text: 'If it was not you, ignore this mail: your account is unchanged.' },
    ],
  }),
  'account-locked': (params) => ({
    subject: 'Password sign-ins to your account are paused',
    blocks: [
      {
        text: `After many failed password attempts, password sign-ins to your account are paused${
          typeof params['locked_until'] === 'string' ? ` until ${params['locked_until']}` : ' for a while'
        }. Browsers you signed in with before are not affected.`,
      },
      { text: 'If these attempts were not yours, someone may be guessing your password: choose a strong one you use nowhere else.' },
    ],
  }),
  'mfa-email-code': (params) => {
    const code = params['code'];
    if (typeof code !== 'string' && typeof code !== 'number') throw new MailTemplateError('the mfa-email-code mail needs a code');
    const minutes = typeof params['expires_in_minutes'] === 'number' ? params['expires_in_minutes'] : undefined;
    return {
      subject: 'Your sign-in code',
      blocks: [
        { text: 'Your sign-in code is:' },
        { code: String(code) },
        { text: `${minutes ? `It expires in ${minutes} minutes. ` : ''}Never give this code to anyone: nobody from your organisation will ask for it.` },
        { text: 'If you are not signing in right now, someone knows your password: change it.' },
      ],
    };
  },
};

/** The templates known by name; anything else gets the generic rendering. */
export const MAIL_TEMPLATES = Object.freeze(Object.keys(TEMPLATES));

/** Renders a template (or, for a name it does not know, a generic mail listing the parameters). */
export function renderMail(template: string, params: MailParams, context: MailContext): RenderedMail {
  const known = Object.hasOwn(TEMPLATES, template) ? TEMPLATES[template] : undefined;
  const { subject, blocks } = known ? known(params, context) : generic(template, params);
  return { subject, text: toText(blocks), html: toHtml(subject, blocks) };
}

function generic(template: string, params: MailParams): { subject: string; blocks: Block[] } {
  const lines = Object.entries(params)
    .filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v))
    .map(([k, v]) => `${k}: ${String(v)}`);
  return {
    subject: 'A message about your account',
    blocks: [{ text: `This is a message about your account (${template.slice(0, 64)}).` }, ...lines.map((text) => ({ text }))],
  };
}

function toText(blocks: Block[]): string {
  return `${blocks.map((b) => ('link' in b ? `${b.label}:\n${b.link}` : 'code' in b ? `    ${b.code}` : b.text)).join('\n\n')}\n`;
}

function toHtml(subject: string, blocks: Block[]): string {
  const body = blocks
    .map((b) =>
      'link' in b
        ? `<p><a href="${escapeHtml(b.link)}">${escapeHtml(b.label)}</a></p>`
        : 'code' in b
          ? `<p style="font-size:1.5em;font-family:monospace;letter-spacing:0.2em">${escapeHtml(b.code)}</p>`
          : `<p>${escapeHtml(b.text)}</p>`,
    )
    .join('\n');
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>\n<body style="font-family:sans-serif;line-height:1.5">\n${body}\n</body></html>\n`;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
