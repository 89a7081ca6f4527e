import { Module } from '@nestjs/common';
import { MailConsumer } from './mail.consumer';
import { MailRequests } from './mail-requests';
import { MailTransport } from './mail-transport';

/**
 * Outbound mail: producers ask for a mail with `MailRequests` (a `mail.requested` event in their
 * transaction); the consumer renders and delivers it over SMTP or into files.
 */
@Module({
  providers: [MailRequests, MailTransport, MailConsumer],
  exports: [MailRequests],
})
export class MailModule {}
