import baseConfig from '../../eslint.config.mjs';

// The e2e project is test code throughout: its harness may use test-kit.
export default [...baseConfig, { files: ['**/*.ts'], rules: { 'no-restricted-imports': 'off' } }];
