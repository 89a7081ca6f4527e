import { join } from 'node:path';
import { Mailbox as DataDirMailbox } from '@tessera/test-kit';
import { PLATFORM_CONFIG, type PlatformConfig } from '@tessera/runtime';
import type { PlatformApp } from '../support/platform-app';

export { linkToken, parseMail, type ReceivedMail } from '@tessera/test-kit';

/** The mails the test app wrote into `<dataDir>/mail/` (no SMTP_URL). */
export class Mailbox extends DataDirMailbox {
  static of(app: PlatformApp): Mailbox {
    const { dataDir } = app.running.app.get<PlatformConfig>(PLATFORM_CONFIG);
    return new Mailbox(join(dataDir, 'mail'));
  }
}

/** Waits for a log line containing `text` (the app logs a delivery just after the mail is out). */
export async function logLine(logs: string[], text: string, timeoutMs = 5_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = logs.find((l) => l.includes(text));
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no log line containing ${text}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
