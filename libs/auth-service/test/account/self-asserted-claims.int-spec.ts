import { testEngines } from '@tessera/test-kit';
import { startPlatformApp, type PlatformApp } from '../support/platform-app';
import { signInToAccount } from '../support/portal';

/**
 * What a person may assert about themselves through the account API: the standard profile
 * claims, not `phone_number_verified` (OIDC Core section 5.1: the OP checked the number) and not
 * custom claims (directory data such as an employee id or groups, which clients trust).
 * Administrators set those through the internal API.
 */
describe.each(testEngines())('claims a user may assert about themselves (%s)', (engine) => {
  let app: PlatformApp;

  beforeAll(async () => {
    app = await startPlatformApp({ engine });
  });
  afterAll(() => app.close());

  it('does not let a user mark their own phone number verified', async () => {
    const user = await app.user();
    const { account } = await signInToAccount(app, user);
    const res = await account('PATCH', '', { claims: { phone_number: '+44 20 7946 0000', phone_number_verified: true } });
    const claims = (await app.internal('GET', `/internal/users/${user.sub}/claims`)).body;
    expect({ status: res.status, phone_number_verified: claims['phone_number_verified'] }).toEqual({ status: 400, phone_number_verified: undefined });
  });

  it('does not let a user write custom (directory) claims on their own account', async () => {
    const user = await app.user();
    const { account } = await signInToAccount(app, user);
    const res = await account('PATCH', '', { claims: { employee_id: 'CEO-0001', department: 'Finance', groups: ['admins'] } });
    const claims = (await app.internal('GET', `/internal/users/${user.sub}/claims`)).body;
    expect({ status: res.status, employee_id: claims['employee_id'], groups: claims['groups'] }).toEqual({ status: 400, employee_id: undefined, groups: undefined });
  });

  it('lets an administrator set them, and drops the verified flag when the person changes the number', async () => {
    const user = await app.user();
    const set = await app.internal('PATCH', `/internal/users/${user.sub}`, { claims: { phone_number: '+44 20 7946 0001', phone_number_verified: true, employee_id: 'E-7' } });
    expect(set.status).toBe(200);
    const { account } = await signInToAccount(app, user);
    expect((await account('PATCH', '', { claims: { phone_number: '+44 20 7946 0002' } })).status).toBe(200);
    const claims = (await app.internal('GET', `/internal/users/${user.sub}/claims`)).body;
    expect(claims).toMatchObject({ phone_number: '+44 20 7946 0002', employee_id: 'E-7' });
    expect(claims['phone_number_verified']).toBeUndefined();
  });
});
