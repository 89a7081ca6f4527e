import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A mail as the test reads it back: headers, and the decoded text and HTML parts. */
export interface ReceivedMail {
  file?: string;
  mode?: number;
  raw: string;
  headers: Record<string, string>;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** The mails a platform wrote into `<dataDir>/mail/` (no SMTP_URL): its embedded mail delivery. */
export class Mailbox {
  private readonly seen = new Set<string>();

  constructor(readonly dir: string) {}

  /** The mailbox of a platform whose data directory is `dataDir`. */
  static inDataDir(dataDir: string): Mailbox {
    return new Mailbox(join(dataDir, 'mail'));
  }

  all(): ReceivedMail[] {
    let files: string[];
    try {
      files = readdirSync(this.dir).filter((f) => f.endsWith('.eml')).sort();
    } catch {
      return [];
    }
    return files.map((f) => {
      const file = join(this.dir, f);
      return { ...parseMail(readFileSync(file, 'latin1')), file, mode: statSync(file).mode & 0o777 };
    });
  }

  /** Mails to `to` that this mailbox has not returned before. */
  newFor(to: string): ReceivedMail[] {
    const fresh = this.all().filter((m) => m.to.toLowerCase().includes(to.toLowerCase()) && !this.seen.has(m.file as string));
    for (const m of fresh) this.seen.add(m.file as string);
    return fresh;
  }

  /** Waits for the next mail to `to` (optionally with a subject matching), delivered through the outbox and the queue. */
  async next(to: string, subject?: RegExp, timeoutMs = 10_000): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.all().find((m) => m.to.toLowerCase().includes(to.toLowerCase()) && !this.seen.has(m.file as string) && (!subject || subject.test(m.subject)));
      if (match) {
        this.seen.add(match.file as string);
        return match;
      }
      if (Date.now() > deadline) throw new Error(`no mail to ${to}${subject ? ` matching ${subject}` : ''} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** The first link to the portal's `page` in a mail (the whole URL, token included). */
export function mailLink(mail: ReceivedMail, page: 'verify-email' | 'reset-password', issuer: string): string {
  return `${issuer}/${page}?token=${encodeURIComponent(linkToken(mail, page, issuer))}`;
}

/** The token of the first link to `page` in a mail. */
export function linkToken(mail: ReceivedMail, page: 'verify-email' | 'reset-password', issuer: string): string {
  const match = new RegExp(`${issuer.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/${page}\\?token=([A-Za-z0-9_%-]+)`).exec(mail.text);
  if (!match) throw new Error(`no ${page} link in: ${mail.text}`);
  return decodeURIComponent(match[1] as string);
}

/** Just enough RFC 5322 / MIME to read nodemailer's output: headers, multipart/alternative, QP and base64. */
export function parseMail(raw: string): Omit<ReceivedMail, 'file' | 'mode'> {
  const { headers, body } = splitEntity(raw);
  const parts: Record<string, string> = {};
  collectParts(headers, body, parts);
  return { raw, headers, to: headers['to'] ?? '', subject: headers['subject'] ?? '', text: parts['text/plain'] ?? '', html: parts['text/html'] ?? '' };
}

function splitEntity(raw: string): { headers: Record<string, string>; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  const head = end < 0 ? raw : raw.slice(0, end);
  const body = end < 0 ? '' : raw.slice(end + 4);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

function collectParts(headers: Record<string, string>, body: string, out: Record<string, string>) {
  const type = (headers['content-type'] ?? 'text/plain').toLowerCase();
  const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'] ?? '')?.[1];
  if (type.startsWith('multipart/') && boundary) {
    for (const chunk of body.split(`--${boundary}`).slice(1)) {
      if (chunk.startsWith('--')) break;
      const part = splitEntity(chunk.replace(/^\r\n/, ''));
      collectParts(part.headers, part.body, out);
    }
    return;
  }
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  const bytes =
    encoding === 'quoted-printable'
      ? Buffer.from(body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1')
      : encoding === 'base64'
        ? Buffer.from(body.replace(/\s+/g, ''), 'base64')
        : Buffer.from(body, 'latin1');
  out[type.split(';')[0] as string] = bytes.toString('utf8').replace(/\r\n/g, '\n');
}
