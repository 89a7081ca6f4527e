// The portal's component tests: React in jsdom with Testing Library, compiled by @swc/jest.
module.exports = {
  displayName: 'portal',
  preset: '../../jest.preset.js',
  testEnvironment: '<rootDir>/src/test/jsdom-environment.js',
  transform: {
    '^.+\\.[tj]sx?$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript', tsx: true }, transform: { react: { runtime: 'automatic' } }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  moduleNameMapper: { '\\.css$': '<rootDir>/src/test/style-stub.js' },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  testMatch: ['**/?(*.)+(spec).ts?(x)'],
  setupFilesAfterEnv: ['<rootDir>/src/test/setup.ts'],
};
