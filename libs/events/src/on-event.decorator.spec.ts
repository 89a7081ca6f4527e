import type { EntityManager } from 'typeorm';
import type { EventEnvelope, EventOf } from './events';
import { eventNamesOf, OnEvent, runsOutsideTransaction } from './on-event.decorator';

describe('@OnEvent', () => {
  it('records every event a method consumes', () => {
    class AccountConsumer {
      @OnEvent('user.updated')
      @OnEvent('user.deleted')
      async onUserChanged(_payload: EventOf<'user.updated'>) {
        return;
      }

      async notAConsumer() {
        return;
      }
    }

    expect([...eventNamesOf(AccountConsumer.prototype.onUserChanged)].sort()).toEqual([
      'user.deleted',
      'user.updated',
    ]);
    expect(eventNamesOf(AccountConsumer.prototype.notAConsumer)).toEqual([]);
  });

  it('records the handlers that run outside the dispatcher transaction', () => {
    class Consumers {
      @OnEvent('logout.backchannel.requested', { transactional: false })
      async deliver() {
        return;
      }

      @OnEvent('user.updated')
      async update() {
        return;
      }
    }

    expect(runsOutsideTransaction(Consumers.prototype.deliver)).toBe(true);
    expect(runsOutsideTransaction(Consumers.prototype.update)).toBe(false);
    expect(() => {
      class Mixed {
        @OnEvent('user.updated')
        @OnEvent('user.deleted', { transactional: false })
        async both() {
          return;
        }
      }
      return Mixed;
    }).toThrow(/all transactional or none/);
  });

  it('type-checks the handler against the event (nx typecheck fails otherwise)', () => {
    class Consumers {
      @OnEvent('grant.revoked')
      async full(
        _payload: EventOf<'grant.revoked'>,
        _envelope: EventEnvelope<'grant.revoked'>,
        _manager: EntityManager,
      ) {
        return;
      }

      // @ts-expect-error: a grant.revoked handler cannot take a mail.requested payload
      @OnEvent('grant.revoked')
      async wrongPayload(_payload: EventOf<'mail.requested'>) {
        return;
      }
    }

    expect(eventNamesOf(Consumers.prototype.full)).toEqual(['grant.revoked']);
  });
});
