module.exports = {
  displayName: 'e2e',
  preset: '../../jest.preset.js',
  rootDir: '.',
  coverageDirectory: '../../coverage/apps/e2e',
};
