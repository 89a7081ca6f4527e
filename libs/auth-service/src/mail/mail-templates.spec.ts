import { MAIL_TEMPLATES, MailTemplateError, renderMail } from './mail-templates';

const context = { issuer: 'https://id.example.com' };
const token = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde';

describe('renderMail', () => {
  it('knows the templates the service sends', () => {
    expect(MAIL_TEMPLATES).toEqual(expect.arrayContaining(['verify-email', 'reset-password', 'email-changed', 'signup-existing-account', 'account-locked', 'mfa-email-code']));
  });

  it('links verification and reset mails to the portal pages on the issuer', () => {
    const verify = renderMail('verify-email', { token }, context);
    expect(verify.text).toContain(`https://id.example.com/verify-email?token=${token}`);
    expect(verify.html).toContain(`<a href="https://id.example.com/verify-email?token=${token}">`);
    expect(renderMail('verify-email', { token, change: true }, context).subject).toBe('Confirm your new email address');
    const reset = renderMail('reset-password', { token }, context);
    expect(reset.text).toContain(`https://id.example.com/reset-password?token=${token}`);
    expect(reset.text).toContain('30 minutes');
  });

  it('refuses (for good) a link mail without a well-formed token', () => {
    expect(() => renderMail('verify-email', {}, context)).toThrow(MailTemplateError);
    expect(() => renderMail('reset-password', { token: '"><script>' }, context)).toThrow(MailTemplateError);
    expect(() => renderMail('mfa-email-code', {}, context)).toThrow(MailTemplateError);
  });

  it('shows the parameters of the notices', () => {
    expect(renderMail('account-locked', { locked_until: '2026-01-01T10:15:00.000Z' }, context).text).toContain('until 2026-01-01T10:15:00.000Z');
    expect(renderMail('mfa-email-code', { code: '123456', expires_in_minutes: 10 }, context).text).toContain('    123456');
    expect(renderMail('email-changed', { new_email: 'n***@example.com' }, context).text).toContain('n***@example.com');
  });

  it('escapes parameters in the HTML part', () => {
    const html = renderMail('email-changed', { new_email: '<img src=x onerror=alert(1)>@x.example' }, context).html;
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const generic = renderMail('weird', { note: '<b>"hi"</b>' }, context).html;
    expect(generic).toContain('&lt;b&gt;&quot;hi&quot;&lt;/b&gt;');
  });

  it('renders an unknown template generically, with its plain parameters', () => {
    const mail = renderMail('something-new', { a: 'one', b: 2, nested: { no: true } }, context);
    expect(mail.subject).toBe('A message about your account');
    expect(mail.text).toContain('a: one');
    expect(mail.text).toContain('b: 2');
    expect(mail.text).not.toContain('nested');
    // Not fooled by names of Object.prototype.
    expect(renderMail('constructor', {}, context).subject).toBe('A message about your account');
  });
});
