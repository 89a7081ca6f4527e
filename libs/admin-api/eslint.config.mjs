import baseConfig from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  {
    // The integration tests compose the real token service with this one, exactly as the
    // platform does (services never import each other in production code).
    files: ['test/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', { allow: ['@tessera/token-service', '@tessera/auth-service'], depConstraints: [{ sourceTag: '*', onlyDependOnLibsWithTags: ['*'] }] }],
    },
  },
];
