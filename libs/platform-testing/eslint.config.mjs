import baseConfig from '../../eslint.config.mjs';

// A library for tests: it may import test-kit (the root config forbids that in production sources).
export default [...baseConfig, { files: ['**/*.ts'], rules: { 'no-restricted-imports': 'off' } }];
