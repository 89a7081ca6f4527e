import { InvalidClientMetadataError } from '@tessera/oauth-errors';
import { testEngines } from '@tessera/test-kit';
import { ClientsService } from '../../src/clients/clients.service';
import { ClientStore } from '../../src/ports/client.store';
import { startTokenService, type TestApp } from '../support/token-service-app';

/**
 * Replicas starting together both register the built-in clients: the one that loses the race
 * must hear "already exists" (which the bootstrap takes as done), never a driver's duplicate-key
 * error, which stopped the second token-service replica of tools/cluster at its start.
 */
describe.each(testEngines())('creating a client whose id another replica just inserted (%s)', (engine) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTokenService({ engine });
  });
  afterAll(() => app?.close());

  it('answers "already exists" when the insert finds the id taken after the check saw it free', async () => {
    const clients = app.running.app.get(ClientsService);
    const metadata = { client_id: 'race-client', client_name: 'Race', grant_types: ['client_credentials'], redirect_uris: [], token_endpoint_auth_method: 'client_secret_basic' };
    await clients.create(metadata, 'managed');
    // The other replica's check ran before this insert: it saw nothing.
    const store = app.running.app.get(ClientStore);
    const unseen = jest.spyOn(store, 'find').mockResolvedValueOnce(undefined);
    try {
      const second = clients.create(metadata, 'managed');
      await expect(second).rejects.toBeInstanceOf(InvalidClientMetadataError);
      await expect(second).rejects.toThrow('A client with id "race-client" already exists.');
    } finally {
      unseen.mockRestore();
    }
    expect((await clients.find('race-client'))?.clientName).toBe('Race');
  });
});
