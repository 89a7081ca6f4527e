module.exports = {
  displayName: 'test-kit',
  preset: '../../jest.preset.js',
  rootDir: '.',
  coverageDirectory: '../../coverage/libs/test-kit',
};
