import reactHooks from 'eslint-plugin-react-hooks';
import baseConfig from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  { files: ['**/*.ts', '**/*.tsx'], plugins: { 'react-hooks': reactHooks }, rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' } },
  { files: ['src/test/**/*', '**/*.spec.ts', '**/*.spec.tsx'], rules: { 'no-restricted-imports': 'off' } },
];
