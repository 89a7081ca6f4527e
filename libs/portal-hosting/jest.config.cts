module.exports = {
  displayName: 'portal-hosting',
  preset: '../../jest.preset.js',
  rootDir: '.',
  coverageDirectory: '../../coverage/libs/portal-hosting',
};
