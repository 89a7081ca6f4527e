import baseConfig from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  {
    // The integration tests verify tokens issued by the real token service, booted by @tessera/platform-testing
    // (the library itself never imports a service).
    files: ['test/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', { allow: ['@tessera/token-service'], depConstraints: [{ sourceTag: '*', onlyDependOnLibsWithTags: ['*'] }] }],
    },
  },
];
