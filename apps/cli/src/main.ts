/**
 * `npm run tessera -- <command>`: the operator's CLI over the internal API of a platform
 * running on this machine. `npm run tessera -- help` lists the commands.
 */
import { COMMANDS } from './commands';
import { CliError, InternalApi } from './internal-api';

const usage = () => `usage: npm run tessera -- <command>\n${Object.values(COMMANDS).map((c) => `  ${c.usage}`).join('\n')}\n`;

async function main(argv: string[]): Promise<number> {
  const [resource, action, ...rest] = argv;
  const command = COMMANDS[`${resource} ${action}`];
  if (!command) {
    process.stderr.write(resource && resource !== 'help' ? `unknown command: ${[resource, action].filter(Boolean).join(' ')}\n${usage()}` : usage());
    return resource === 'help' ? 0 : 2;
  }
  try {
    const result = await command.run(InternalApi.fromEnvironment(), rest);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof CliError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`tessera: ${(err as Error).message}\n`);
      return err instanceof CliError ? err.exitCode : 2;
    }
    throw err;
  }
}

void main(process.argv.slice(2)).then((code) => process.exit(code));
