export { startPlatformProcess as startPlatform, type PlatformOptions, type RunningPlatform } from '@tessera/test-kit';
