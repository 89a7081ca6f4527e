// One Jest setup for every Node project: @swc/jest (fast, keeps Nest's decorator
// metadata) and the ESM-only packages (jose, openid-client, oauth4webapi, otplib's @noble and @scure) transformed.
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.[tj]s$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(jose|openid-client|oauth4webapi|@noble|@scure)/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['**/?(*.)+(spec|int-spec).ts'],
  // Integration suites boot a whole service (migrations, signing keys) in beforeAll; on a loaded
  // 2-core CI machine that can take longer than Jest's 5 s default. This bounds hangs, not speed.
  testTimeout: 30_000,
  resolver: '@nx/jest/plugins/resolver',
  coverageReporters: ['text-summary'],
  reporters: ['default', require.resolve('./tools/jest/summary-reporter.js')],
};
