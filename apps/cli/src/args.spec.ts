import { findCommand, instantOption, jsonObject, limitOption, parseCommand } from './args';
import { COMMANDS } from './commands';
import { UsageError } from './errors';

const command = (name: string) => {
  const found = COMMANDS.find((c) => c.name === name);
  if (!found) throw new Error(`no command ${name}`);
  return found;
};

describe('finding the command', () => {
  it('matches the leading words and hands over the rest', () => {
    expect(findCommand(COMMANDS, ['clients', 'revoke', 'c1', '--wait'])).toEqual({ command: command('clients revoke'), rest: ['c1', '--wait'] });
    expect(findCommand(COMMANDS, ['resource-servers', 'list'])?.command.name).toBe('resource-servers list');
  });

  it('finds nothing for an unknown or incomplete command', () => {
    expect(findCommand(COMMANDS, ['clients'])).toBeUndefined();
    expect(findCommand(COMMANDS, ['clients', 'frobnicate'])).toBeUndefined();
    expect(findCommand(COMMANDS, [])).toBeUndefined();
  });

  it('has one command per name, each with a usage line that starts with its name', () => {
    const names = COMMANDS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const c of COMMANDS) expect(c.usage.startsWith(c.name)).toBe(true);
  });
});

describe('parsing a command line', () => {
  it('takes --json anywhere, apart from the command options', () => {
    expect(parseCommand(command('clients list'), ['--json', '--q', 'notes'])).toEqual({ positionals: [], values: { q: 'notes' }, json: true });
    expect(parseCommand(command('clients show'), ['c1', '--json'])).toEqual({ positionals: ['c1'], values: {}, json: true });
    expect(parseCommand(command('clients show'), ['c1']).json).toBe(false);
  });

  it('collects repeated options (--role, --type) and --opt=value forms', () => {
    const parsed = parseCommand(command('users create'), ['--email=ada@example.com', '--role', 'admin', '--role', 'auditor']);
    expect(parsed.values).toEqual({ email: 'ada@example.com', role: ['admin', 'auditor'] });
  });

  it('treats an unknown option, a missing argument and an extra argument as usage mistakes (exit 2)', () => {
    const mistakes: Array<[string, string[], RegExp]> = [
      ['clients list', ['--frob'], /clients list: Unknown option '--frob'/],
      ['clients show', [], /clients show needs <client_id>/],
      ['clients show', ['a', 'b'], /clients show takes <client_id>; unexpected: b/],
      ['keys list', ['extra'], /keys list takes no arguments; unexpected: extra/],
      ['clients list', ['--q'], /clients list: Option '--q <value>' argument missing/],
    ];
    for (const [name, args, message] of mistakes) {
      let thrown: unknown;
      try {
        parseCommand(command(name), args);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(UsageError);
      expect((thrown as UsageError).exitCode).toBe(2);
      expect((thrown as Error).message).toMatch(message);
    }
  });

  it('allows an optional argument to be left out, and a positional after -- that looks like an option', () => {
    expect(parseCommand(command('keys rotate'), []).positionals).toEqual([]);
    expect(parseCommand(command('keys rotate'), ['ES256']).positionals).toEqual(['ES256']);
    expect(parseCommand(command('users show'), ['--', '--odd-sub']).positionals).toEqual(['--odd-sub']);
  });
});

describe('option values', () => {
  it('--limit is a whole number from 1', () => {
    expect(limitOption({ limit: '25' })).toBe(25);
    expect(limitOption({})).toBeUndefined();
    for (const bad of ['0', '-1', '2.5', 'ten', '']) expect(() => limitOption({ limit: bad })).toThrow(UsageError);
  });

  it('JSON arguments must be objects', () => {
    expect(jsonObject('{"client_name":"Notes"}', 'The client metadata')).toEqual({ client_name: 'Notes' });
    expect(() => jsonObject('{client_name:1}', 'The client metadata')).toThrow(/The client metadata must be JSON/);
    expect(() => jsonObject('[1]', '--claims')).toThrow(/--claims must be a JSON object/);
    expect(() => jsonObject('null', '--claims')).toThrow(UsageError);
  });

  it('--since takes a duration back from now, or passes an instant on to the API as it is', () => {
    const now = Date.parse('2026-11-28T09:00:00Z');
    expect(instantOption('24h', now)).toBe('2026-11-27T09:00:00.000Z');
    expect(instantOption('30m', now)).toBe('2026-11-28T08:30:00.000Z');
    expect(instantOption('7d', now)).toBe('2026-11-21T09:00:00.000Z');
    expect(instantOption('2026-11-01T00:00:00Z', now)).toBe('2026-11-01T00:00:00Z');
    expect(instantOption('1795856161000', now)).toBe('1795856161000');
    expect(instantOption(undefined, now)).toBeUndefined();
  });
});
