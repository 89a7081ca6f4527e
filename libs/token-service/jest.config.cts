module.exports = {
  displayName: 'token-service',
  preset: '../../jest.preset.js',
  rootDir: '.',
  coverageDirectory: '../../coverage/libs/token-service',
};
