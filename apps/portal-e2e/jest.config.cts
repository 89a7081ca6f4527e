// Browser tests: playwright-core drives Debian's Chromium through the portal served by the built
// platform (dist/apps/platform with dist/apps/portal), openid-client plays the relying party.
module.exports = {
  displayName: 'portal-e2e',
  preset: '../../jest.preset.js',
  rootDir: '.',
  testMatch: ['**/*.e2e-spec.ts'],
  testTimeout: 90_000,
};
