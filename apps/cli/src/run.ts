import { findCommand, parseCommand } from './args';
import { COMMANDS, type Command, type Context, type Output } from './commands';
import { CliError, UsageError } from './errors';
import { formatObject, formatTable, safeText } from './format';

const PREFIX = 'npm run tessera --';

export function helpText(commands: readonly Command[] = COMMANDS): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = (list: readonly Command[]) => list.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `usage: ${PREFIX} <command> [arguments] [--json]
       ${PREFIX} <command> --help    (that command's arguments)

Administration, over the admin API (<TESSERA_URL>/admin/api), signed in as the tessera-cli client:
${lines(commands.filter((c) => !c.internal))}

On the internal API, as the operator (the admin API has no route for resource servers yet):
${lines(commands.filter((c) => c.internal))}

Output: tables and key: value lines for people; --json prints the API's JSON for scripts (a list
command prints every item, following the pages, as one array). Errors: one line on stderr;
exit code 1 when refused or failed, 2 for a usage mistake.

Environment:
  TESSERA_URL              the platform's public origin (default http://127.0.0.1:$TESSERA_PORT, port 3000)
  TESSERA_CLI_SECRET       the tessera-cli client's secret; without it, the file cli.secret in
  TESSERA_DATA_DIR         the platform's data directory (default var), written at its first start
  TESSERA_INTERNAL_SECRET, TESSERA_INTERNAL_HOST, TESSERA_INTERNAL_PORT   the internal API
                           (resource-servers), as the platform reads them; the secret defaults
                           to internal.secret in the data directory
`;
}

const usageOf = (command: Command) => `usage: ${PREFIX} ${command.usage}\n`;

/** The result for people, or the API's JSON for scripts. */
export function render(output: Output, json: boolean): string {
  if (output.kind === 'written') return '';
  if (json) return `${JSON.stringify(output.value, null, 2)}\n`;
  if (output.kind === 'table') return output.rows.length ? formatTable(output.rows, output.columns) : `${output.empty}\n`;
  const value = output.value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return formatObject(value as Record<string, unknown>);
  return value === undefined ? '' : `${safeText(typeof value === 'string' ? value : JSON.stringify(value))}\n`;
}

/** Runs one command line; answers the exit code (0 done, 1 refused or failed, 2 usage mistake). */
export async function runCli(argv: readonly string[], ctx: Context, commands: readonly Command[] = COMMANDS): Promise<number> {
  const [first] = argv;
  if (first === 'help' || first === '--help' || first === '-h') {
    ctx.stdout.write(helpText(commands));
    return 0;
  }
  const found = findCommand(commands, argv);
  if (!found) {
    ctx.stderr.write(`${first ? `tessera: unknown command: ${safeText(argv.slice(0, 2).join(' '))}\n\n` : ''}${helpText(commands)}`);
    return 2;
  }
  const { command, rest } = found;
  if (rest.includes('--help') || rest.includes('-h')) {
    ctx.stdout.write(`${usageOf(command)}\n${command.summary}\n`);
    return 0;
  }
  try {
    const input = parseCommand(command, rest);
    const output = await command.run(ctx, input);
    ctx.stdout.write(render(output, input.json));
    if (output.note) ctx.stderr.write(`tessera: ${output.note}\n`);
    return output.exitCode ?? 0;
  } catch (err) {
    if (err instanceof CliError) {
      ctx.stderr.write(`tessera: ${safeText(err.message)}\n${err instanceof UsageError ? usageOf(command) : ''}`);
      return err.exitCode;
    }
    // Not one of ours: still one line, without a stack that would only confuse.
    ctx.stderr.write(`tessera: ${command.name} failed: ${safeText(err instanceof Error ? err.message : String(err))}\n`);
    return 1;
  }
}
