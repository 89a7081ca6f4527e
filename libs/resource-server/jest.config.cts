module.exports = {
  displayName: 'resource-server',
  preset: '../../jest.preset.js',
  rootDir: '.',
  coverageDirectory: '../../coverage/libs/resource-server',
};
