module.exports = {
  displayName: 'token-service-app',
  preset: '../../jest.preset.js',
  rootDir: '.',
  coverageDirectory: '../../coverage/apps/token-service',
};
