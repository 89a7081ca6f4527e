module.exports = {
  displayName: 'oauth-errors',
  preset: '../../jest.preset.js',
  rootDir: '.',
  coverageDirectory: '../../coverage/libs/oauth-errors',
};
