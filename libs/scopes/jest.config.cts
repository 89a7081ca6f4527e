module.exports = {
  displayName: 'scopes',
  preset: '../../jest.preset.js',
  rootDir: '.',
  coverageDirectory: '../../coverage/libs/scopes',
};
