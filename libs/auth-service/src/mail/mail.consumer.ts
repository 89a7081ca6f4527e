import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { OnEvent, UnrecoverableEventError, type EventEnvelope, type EventOf } from '@tessera/events';
import { InjectLogger } from '@tessera/runtime';
import { AUTH_SERVICE_CONFIG, type AuthServiceConfig } from '../config/auth-service-config';
import { MailRequests } from './mail-requests';
import { MAIL_TEMPLATES, MailTemplateError, renderMail, type MailParams } from './mail-templates';
import { MailTransport } from './mail-transport';

/**
 * `mail.requested` (from this service: verification and reset links, notices, codes): renders the
 * template and delivers it. Idempotent: the dispatcher skips an event it processed, and a
 * redelivery after a crash between sending and committing reuses the event's Message-ID (SMTP)
 * or file name (files), so it writes nothing twice.
 */
@Injectable()
export class MailConsumer {
  constructor(
    private readonly requests: MailRequests,
    private readonly transport: MailTransport,
    @Inject(AUTH_SERVICE_CONFIG) private readonly config: AuthServiceConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  @OnEvent('mail.requested')
  async deliver(payload: EventOf<'mail.requested'>, envelope: EventEnvelope<'mail.requested'>) {
    let params: MailParams;
    try {
      params = await this.requests.open(payload);
    } catch {
      // Sealed under a master key this process no longer has, or tampered with: never openable.
      throw new UnrecoverableEventError(`the secrets of the ${payload.template} mail cannot be opened`);
    }
    if (!MAIL_TEMPLATES.includes(payload.template)) this.logger.warn({ template: payload.template, eventId: envelope.id }, 'unknown mail template; sending the generic rendering');
    let rendered;
    try {
      rendered = renderMail(payload.template, params, { issuer: this.config.issuer });
    } catch (err) {
      if (err instanceof MailTemplateError) throw new UnrecoverableEventError(err.message);
      throw err;
    }
    await this.transport.send({ ...rendered, id: envelope.id, to: payload.to, date: new Date(envelope.occurredAt), template: payload.template });
  }
}
