import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Outbox, type EventOf } from '@tessera/events';
import { MasterKeyring } from '@tessera/runtime';
import type { MailParams } from './mail-templates';

/** The parameter holding the sealed secrets of a `mail.requested` event. */
export const SEALED_PARAM = 'sealed';

export interface MailRequest {
  to: string;
  template: string;
  /** Shown in the mail, stored in the event as they are (no secrets here). */
  params?: MailParams;
  /** Shown in the mail too (links' tokens, codes), but sealed in the event under the master key. */
  secrets?: MailParams;
}

/**
 * Asks for a mail through the `mail.requested` event, in the caller's transaction (so a mail goes
 * out exactly when the change that causes it commits). Secrets (a link's token, a code) would
 * otherwise sit in clear in the outbox table and the queue: they are encrypted under the master
 * key, bound to the recipient and template, and opened only by the mail consumer.
 */
@Injectable()
export class MailRequests {
  constructor(
    private readonly outbox: Outbox,
    private readonly keyring: MasterKeyring,
  ) {}

  async request(manager: EntityManager, mail: MailRequest): Promise<void> {
    const params: MailParams = { ...(mail.params ?? {}) };
    if (mail.secrets && Object.keys(mail.secrets).length) {
      params[SEALED_PARAM] = await this.keyring.encrypt(JSON.stringify(mail.secrets), sealContext(mail.to, mail.template));
    }
    await this.outbox.add(manager, 'mail.requested', { to: mail.to, template: mail.template, params });
  }

  /** The parameters of a requested mail with its secrets opened (for the consumer). */
  async open(payload: EventOf<'mail.requested'>): Promise<MailParams> {
    const { [SEALED_PARAM]: sealed, ...params } = payload.params;
    if (typeof sealed !== 'string') return params;
    const secrets = JSON.parse(await this.keyring.decrypt(sealed, sealContext(payload.to, payload.template))) as MailParams;
    return { ...params, ...secrets };
  }
}

const sealContext = (to: string, template: string) => `mail.requested:${template}:${to.toLowerCase()}`;
