module.exports = {
  displayName: 'events',
  preset: '../../jest.preset.js',
  rootDir: '.',
  coverageDirectory: '../../coverage/libs/events',
};
