import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { AuthServiceConfig } from '../../src/config/auth-service-config';
import { MailTransport } from '../../src/mail/mail-transport';
import { parseMail } from './mailbox';

describe('MailTransport into files (no SMTP_URL)', () => {
  let dataDir: string;
  let logs: string[];
  let transport: MailTransport;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'tessera-mail-'));
    logs = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (c, _e, done) => (logs.push(c.toString()), done()) }));
    transport = new MailTransport({ dataDir, mailFrom: 'Tessera <id@example.com>', issuer: 'https://id.example.com' } as AuthServiceConfig, logger);
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const mail = { id: '0190b2c4-0000-7000-8000-000000000001', to: 'ada@example.com', date: new Date('2026-01-02T03:04:05Z'), template: 'verify-email', subject: 'Hello', text: 'Your code:\n\n    SECRET-123456\n', html: '<p>SECRET-123456</p>' };

  it('writes an RFC 5322 message (CRLF) to a 0600 file in a 0700 directory, and logs the path, not the content', async () => {
    // An existing directory with a looser mode is closed.
    mkdirSync(join(dataDir, 'mail'), { mode: 0o755 });
    chmodSync(join(dataDir, 'mail'), 0o755);
    await transport.send(mail);
    const [name] = readdirSync(join(dataDir, 'mail'));
    const file = join(dataDir, 'mail', name as string);
    expect(name).toBe('20260102T030405Z-0190b2c4-0000-7000-8000-000000000001.eml');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'mail')).mode & 0o777).toBe(0o700);
    const raw = readFileSync(file, 'latin1');
    expect(raw).not.toMatch(/[^\r]\n/);
    const parsed = parseMail(raw);
    expect(parsed.headers).toMatchObject({ from: 'Tessera <id@example.com>', to: 'ada@example.com', subject: 'Hello', 'message-id': `<${mail.id}@id.example.com>` });
    expect(parsed.headers['date']).toBe('Fri, 02 Jan 2026 03:04:05 +0000');
    expect(parsed.text).toContain('SECRET-123456');
    expect(logs.join('')).toContain(file);
    expect(logs.join('')).not.toContain('SECRET');
    expect(logs.join('')).not.toContain('ada@example.com');
  });

  it('writes a redelivered mail once', async () => {
    await transport.send(mail);
    await transport.send({ ...mail, subject: 'Again' });
    const files = readdirSync(join(dataDir, 'mail'));
    expect(files).toHaveLength(1);
    expect(parseMail(readFileSync(join(dataDir, 'mail', files[0] as string), 'latin1')).subject).toBe('Hello');
  });
});
