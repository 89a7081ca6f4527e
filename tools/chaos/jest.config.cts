module.exports = {
  displayName: 'chaos',
  preset: '../../jest.preset.js',
  rootDir: '.',
  testMatch: ['**/*.e2e-spec.ts', '**/*.spec.ts'],
  // A case runs its load for tens of seconds around its fault; the soak runs for minutes.
  testTimeout: 300_000,
};
