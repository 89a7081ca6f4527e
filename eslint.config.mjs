import nx from '@nx/eslint-plugin';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/node_modules', '**/var', '**/tmp', '**/.nx'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:service', 'type:feature', 'type:data-access', 'type:util', 'type:test'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:util', 'type:data-access', 'type:test', 'type:feature'] },
            { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util', 'type:test'] },
            { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:data-access', 'type:util'] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:data-access', 'type:util', 'type:test'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:test'] },
            { sourceTag: 'type:test', onlyDependOnLibsWithTags: ['type:util', 'type:data-access'] },
            // platform-testing boots service modules its callers hand it (it imports no service, so a
            // service's own tests may use it without a project cycle); only test files may import it (below).
            { sourceTag: 'type:test-platform', onlyDependOnLibsWithTags: ['type:util', 'type:data-access', 'type:test'] },
            { sourceTag: 'scope:portal', onlyDependOnLibsWithTags: ['scope:portal', 'scope:shared'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // test-kit and platform-testing are for tests only: production sources may not import them.
    files: ['**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/*.contract.ts', '**/test/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: '@tessera/test-kit', message: 'test-kit is for tests only.' },
            { name: '@tessera/platform-testing', message: 'platform-testing is for tests only.' },
          ],
        },
      ],
    },
  },
];
