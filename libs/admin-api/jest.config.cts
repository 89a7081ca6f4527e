module.exports = {
  displayName: 'admin-api',
  preset: '../../jest.preset.js',
  rootDir: '.',
  coverageDirectory: '../../coverage/libs/admin-api',
};
