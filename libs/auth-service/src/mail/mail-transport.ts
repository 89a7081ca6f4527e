import { randomBytes } from 'node:crypto';
import { access, chmod, link, mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { createTransport, type NodemailerError, type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { UnrecoverableEventError } from '@tessera/events';
import { InjectLogger } from '@tessera/runtime';
import { AUTH_SERVICE_CONFIG, type AuthServiceConfig } from '../config/auth-service-config';
import type { RenderedMail } from './mail-templates';

/** One mail ready to go; `id` (the event's) makes its delivery idempotent. */
export interface OutgoingMail extends RenderedMail {
  id: string;
  to: string;
  date: Date;
  /** For the log line only. */
  template: string;
}

export const MAIL_DIR = 'mail';

/** Connection limits for SMTP: a stuck server must not hold a consumer (and, on SQLite, its transaction) for long. */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 };

/**
 * Delivers mail: over SMTP when SMTP_URL is set (smtp:// with STARTTLS when the server offers it,
 * smtps:// for implicit TLS; nodemailer's URL options such as `?requireTLS=true` apply), otherwise
 * as RFC 5322 files (`.eml`, CRLF) in `<dataDir>/mail/` (directory 0700, files 0600), the embedded
 * default. Either way the Message-ID derives from the event id, and the file is named after it:
 * a redelivered event writes nothing twice, and an SMTP receiver can recognise a duplicate. The
 * log names the file or the Message-ID, never the content, links or codes.
 */
@Injectable()
export class MailTransport implements OnApplicationShutdown {
  private readonly smtp?: Transporter;
  /** Builds the raw message without sending it (for the file delivery). */
  private readonly composer = createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  private readonly dir: string;
  private dirReady?: Promise<void>;
  private readonly domain: string;

  constructor(
    @Inject(AUTH_SERVICE_CONFIG) private readonly config: AuthServiceConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {
    if (config.smtpUrl) this.smtp = createTransport({ ...SMTP_TIMEOUTS, url: config.smtpUrl });
    this.dir = join(config.dataDir, MAIL_DIR);
    this.domain = new URL(config.issuer).hostname;
  }

  async send(mail: OutgoingMail): Promise<void> {
    const message = {
      from: this.config.mailFrom,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      date: mail.date,
      messageId: `<${mail.id}@${this.domain}>`,
      headers: { 'Auto-Submitted': 'auto-generated' },
    };
    if (this.smtp) {
      try {
        const info = (await this.smtp.sendMail(message)) as { messageId?: string };
        this.logger.info({ template: mail.template, messageId: info.messageId }, 'mail sent over SMTP');
      } catch (err) {
        const e = err as NodemailerError;
        // A permanent rejection (5xx) comes back the same however often it is retried.
        if (e.permanent) throw new UnrecoverableEventError(`the SMTP server refused the ${mail.template} mail (${e.responseCode ?? 'permanent'})`);
        throw new Error(`the ${mail.template} mail could not be sent over SMTP (${e.code ?? 'error'}${e.responseCode ? ` ${e.responseCode}` : ''})`);
      }
      return;
    }
    await this.writeFile(mail, message);
  }

  onApplicationShutdown() {
    this.smtp?.close();
  }

  private async writeFile(mail: OutgoingMail, message: Record<string, unknown>): Promise<void> {
    const info = (await this.composer.sendMail(message)) as { message: Buffer };
    await (this.dirReady ??= this.prepareDir());
    // Named after the event: sortable by time, and the same name on a redelivery.
    const stamp = mail.date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const file = join(this.dir, `${stamp}-${mail.id}.eml`);
    // Written aside, then linked into place: a reader of the directory never sees half a mail,
    // and link() refuses to replace a file that a previous delivery of the event wrote.
    const partial = join(this.dir, `.${mail.id}.${randomBytes(6).toString('hex')}.partial`);
    await writeFile(partial, info.message, { mode: 0o600, flag: 'wx' });
    try {
      await link(partial, file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return; // delivered before
      // A file system without hard links: rename, unless a previous delivery wrote the file.
      if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes(code ?? '')) throw err;
      if (await exists(file)) return;
      await rename(partial, file);
    } finally {
      await unlink(partial).catch(() => undefined);
    }
    this.logger.info({ template: mail.template, file }, 'mail written to a file (SMTP_URL is not set)');
  }

  private async prepareDir(): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      // An existing directory keeps its mode through mkdir: mail holds sign-in links, so close it.
      await chmod(this.dir, 0o700);
    } catch (err) {
      this.dirReady = undefined; // try again with the next mail
      throw err;
    }
  }
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
