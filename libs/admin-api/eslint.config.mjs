import baseConfig from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  {
    // The integration tests compose the real services (booted by @tessera/platform-testing) with this one, as the
    // platform does (services never import each other in production code).
    files: ['test/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', { allow: ['@tessera/token-service', '@tessera/auth-service'], depConstraints: [{ sourceTag: '*', onlyDependOnLibsWithTags: ['*'] }] }],
    },
  },
];
