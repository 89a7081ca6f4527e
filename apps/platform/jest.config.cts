module.exports = {
  displayName: 'platform',
  preset: '../../jest.preset.js',
  rootDir: '.',
  coverageDirectory: '../../coverage/apps/platform',
};
