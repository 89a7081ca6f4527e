import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors';

export type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | string[] | undefined>;

/** What a command declares about its command line. */
export interface CommandLine {
  /** `clients list`: the words that name the command. */
  name: string;
  /** Positional arguments: `<id>` is required, `[alg]` optional, in this order. */
  args?: readonly string[];
  options?: Options;
}

export interface ParsedCommand {
  positionals: string[];
  values: Values;
  /** `--json`: the API's JSON for scripts instead of tables for people. */
  json: boolean;
}

/** Options every command takes. */
export const GLOBAL_OPTIONS = { json: { type: 'boolean' } } as const satisfies Options;

/** The command the words name (`clients list`), and the arguments after them. */
export function findCommand<C extends CommandLine>(commands: readonly C[], argv: readonly string[]): { command: C; rest: string[] } | undefined {
  for (const command of commands) {
    const words = command.name.split(' ');
    if (words.every((w, i) => argv[i] === w)) return { command, rest: argv.slice(words.length) };
  }
  return undefined;
}

/** The command's arguments, strictly: an unknown option or a wrong number of arguments is a usage mistake. */
export function parseCommand(command: CommandLine, args: readonly string[]): ParsedCommand {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...args], options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (err) {
    throw new UsageError(`${command.name}: ${(err as Error).message.replace(/\s+/g, ' ')}`);
  }
  const declared = command.args ?? [];
  const required = declared.filter((a) => a.startsWith('<')).length;
  const { positionals } = parsed;
  if (positionals.length < required) throw new UsageError(`${command.name} needs ${declared.slice(positionals.length, required).join(' ')}.`);
  if (positionals.length > declared.length) throw new UsageError(`${command.name} takes ${declared.length ? declared.join(' ') : 'no arguments'}; unexpected: ${positionals.slice(declared.length).join(' ')}.`);
  const { json, ...values } = parsed.values;
  return { positionals, values, json: json === true };
}

export function stringOption(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function listOption(values: Values, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}

/** `--limit`: a whole number from 1 up. */
export function limitOption(values: Values): number | undefined {
  const raw = stringOption(values, 'limit');
  if (raw === undefined) return undefined;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) throw new UsageError(`--limit must be a whole number from 1 (got ${raw}).`);
  return Number(raw);
}

/** A JSON object given on the command line (client metadata, claims). */
export function jsonObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`${what} must be JSON: ${text}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${what} must be a JSON object: ${text}`);
  return value as Record<string, unknown>;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * An instant for `--since`/`--until`: a duration back from now (`30m`, `24h`, `7d`) becomes that
 * instant in ISO 8601; anything else (ISO 8601, epoch milliseconds) goes to the API as it is.
 */
export function instantOption(value: string | undefined, now: number = Date.now()): string | undefined {
  if (value === undefined) return undefined;
  const ago = /^(\d{1,6})([smhdw])$/.exec(value);
  return ago ? new Date(now - Number(ago[1]) * UNITS[ago[2]]).toISOString() : value;
}
