import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { UnrecoverableEventError } from '@tessera/events';
import { testEngines } from '@tessera/test-kit';
import { MailTransport } from '../../src/mail/mail-transport';
import type { AuthServiceConfig } from '../../src/config/auth-service-config';
import { startPlatformApp, type PlatformApp } from '../support/platform-app';
import { Portal } from '../support/portal';
import { Mailbox, linkToken, logLine, parseMail } from './mailbox';
import { FakeSmtpServer } from './fake-smtp-server';

describe.each(testEngines())('mail over SMTP (%s)', (engine) => {
  let smtp: FakeSmtpServer;
  let app: PlatformApp;

  beforeAll(async () => {
    smtp = await new FakeSmtpServer().start();
    app = await startPlatformApp({ engine, env: { SMTP_URL: smtp.url, TESSERA_MAIL_FROM: 'Tessera <id@example.com>' } });
  });
  afterAll(async () => {
    await app.close();
    await smtp.stop();
  });

  it('delivers the verification mail to the SMTP server (and writes no file)', async () => {
    const email = `smtp-${Date.now()}@example.com`;
    const res = await new Portal(app, app.browser()).post('/auth/signup', { email, password: 'a fine long passphrase' });
    expect(res.status).toBe(202);
    const [message] = await smtp.received(1);
    expect(message?.from).toBe('id@example.com');
    expect(message?.to).toEqual([email]);
    const mail = parseMail(message?.data as string);
    expect(mail.headers['message-id']).toMatch(/^<[0-9a-f-]{36}@id\.tessera\.test>$/);
    expect(mail.subject).toBe('Confirm your email address');
    const token = linkToken({ ...mail }, 'verify-email', app.issuer);
    // Logged once the server's answer to DATA is in, a moment after the server stored the message.
    expect(await logLine(app.logs, 'mail sent over SMTP')).toContain('"template":"verify-email"');
    expect(app.logs.join('')).not.toContain(token);
    expect(existsSync(Mailbox.of(app).dir)).toBe(false);
    // The mailed link works.
    expect((await new Portal(app, app.browser()).post('/auth/verify-email', { token })).status).toBe(200);
  });
});

describe('MailTransport over SMTP', () => {
  let smtp: FakeSmtpServer;
  let transport: MailTransport;

  beforeAll(async () => {
    smtp = await new FakeSmtpServer({ reject: /^gone@/, defer: /^busy@/ }).start();
    const config = { smtpUrl: smtp.url, mailFrom: 'Tessera <id@example.com>', dataDir: join(__dirname, 'never'), issuer: 'https://id.example.com' } as AuthServiceConfig;
    transport = new MailTransport(config, pino({ level: 'silent' }));
  });
  afterAll(async () => {
    transport.onApplicationShutdown();
    await smtp.stop();
  });

  const mail = (to: string) => ({ id: '0190b2c4-0000-7000-8000-000000000000', to, date: new Date(), template: 'x', subject: 's', text: 't\n', html: '<p>t</p>' });

  it('gives up at once on a permanent rejection, and retries a transient one', async () => {
    await expect(transport.send(mail('gone@example.com'))).rejects.toBeInstanceOf(UnrecoverableEventError);
    const transient = transport.send(mail('busy@example.com'));
    await expect(transient).rejects.toThrow(/could not be sent over SMTP/);
    await expect(transient).rejects.not.toBeInstanceOf(UnrecoverableEventError);
    await transport.send(mail('fine@example.com'));
    expect(smtp.messages.map((m) => m.to)).toEqual([['fine@example.com']]);
  });
});
