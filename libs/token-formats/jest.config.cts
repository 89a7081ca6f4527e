module.exports = {
  displayName: 'token-formats',
  preset: '../../jest.preset.js',
  rootDir: '.',
  coverageDirectory: '../../coverage/libs/token-formats',
};
