import baseConfig from '../../eslint.config.mjs';

// Browser tests are test code throughout: their harness may use test-kit.
export default [...baseConfig, { files: ['**/*.ts'], rules: { 'no-restricted-imports': 'off' } }];
