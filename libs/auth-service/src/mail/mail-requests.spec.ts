import type { EntityManager } from 'typeorm';
import type { Outbox } from '@tessera/events';
import { MasterKeyring, randomSecret } from '@tessera/runtime';
import { MailRequests, SEALED_PARAM } from './mail-requests';

describe('MailRequests', () => {
  const keyring = new MasterKeyring(randomSecret(32));
  const added: Array<{ name: string; payload: { to: string; template: string; params: Record<string, unknown> } }> = [];
  const outbox = { add: async (_m: EntityManager, name: string, payload: never) => void added.push({ name, payload }) } as unknown as Outbox;
  const requests = new MailRequests(outbox, keyring);
  const manager = {} as EntityManager;

  beforeEach(() => (added.length = 0));

  it('seals the secrets in the event and opens them for the consumer', async () => {
    await requests.request(manager, { to: 'ada@example.com', template: 'reset-password', params: { locale: 'en' }, secrets: { token: 'the-secret-token' } });
    const [event] = added;
    expect(event?.name).toBe('mail.requested');
    expect(JSON.stringify(event?.payload)).not.toContain('the-secret-token');
    expect(event?.payload.params).toMatchObject({ locale: 'en', [SEALED_PARAM]: expect.any(String) });
    expect(await requests.open(event?.payload as never)).toEqual({ locale: 'en', token: 'the-secret-token' });
  });

  it('cannot be opened for another recipient or template (the seal is bound to both)', async () => {
    await requests.request(manager, { to: 'ada@example.com', template: 'reset-password', secrets: { token: 't' } });
    const payload = added[0]?.payload as { to: string; template: string; params: Record<string, unknown> };
    await expect(requests.open({ ...payload, to: 'mallory@example.com' } as never)).rejects.toThrow();
    await expect(requests.open({ ...payload, template: 'verify-email' } as never)).rejects.toThrow();
  });

  it('leaves a request without secrets as it is (plain parameters from other producers work too)', async () => {
    await requests.request(manager, { to: 'ada@example.com', template: 'account-locked', params: { locked_until: 'soon' } });
    expect(added[0]?.payload.params).toEqual({ locked_until: 'soon' });
    expect(await requests.open({ to: 'a@example.com', template: 'mfa-email-code', params: { code: '123456' } })).toEqual({ code: '123456' });
  });
});
