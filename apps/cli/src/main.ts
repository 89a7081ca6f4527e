/**
 * `npm run tessera -- <command>`: the admin CLI. `npm run tessera -- help` lists the commands.
 */
import { AdminApi } from './admin-api';
import { InternalApi } from './internal-api';
import { runCli } from './run';

/** Made when a command first needs it, then the same one (and so the same token) for the whole command. */
const once = <T>(make: () => T): (() => T) => {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
};

void runCli(process.argv.slice(2), {
  admin: once(() => AdminApi.fromEnvironment(process.env)),
  internal: once(() => InternalApi.fromEnvironment(process.env)),
  stdout: process.stdout,
  stderr: process.stderr,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
}).then((code) => {
  // Not process.exit(): what is still buffered for a pipe gets written first.
  process.exitCode = code;
});
