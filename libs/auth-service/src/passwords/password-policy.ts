import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlowError } from '../http/flow-error';

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;

/**
 * NIST SP 800-63B §5.1.1.2: at least 8 characters, at least 64 allowed (we allow 128), every
 * printable character and space allowed, no composition rules, and passwords known to be
 * common refused. The list (common-passwords.txt) is the 10,000 most frequent passwords of 8 or
 * more characters from zxcvbn's frequency list (MIT): shorter ones already fail the length
 * rule, so every one of the 10,000 most common passwords is refused.
 */
export class PasswordPolicy {
  private readonly common: ReadonlySet<string>;

  constructor(commonPasswords: Iterable<string> = loadCommonPasswords()) {
    this.common = new Set([...commonPasswords].map((p) => p.toLowerCase()));
  }

  /** Why a password is refused, or undefined when it is acceptable. */
  problem(password: unknown, context: { email?: string | null } = {}): string | undefined {
    if (typeof password !== 'string') return 'The password must be a string.';
    const length = [...password.normalize('NFC')].length;
    if (length < MIN_PASSWORD_LENGTH) return `The password must have at least ${MIN_PASSWORD_LENGTH} characters.`;
    if (length > MAX_PASSWORD_LENGTH) return `The password may have at most ${MAX_PASSWORD_LENGTH} characters.`;
    const lower = password.toLowerCase();
    if (this.common.has(lower)) return 'This password is one of the most commonly used ones; choose another.';
    const local = context.email?.split('@')[0]?.toLowerCase();
    if (local && local.length >= 4 && lower === local) return 'The password must not be your email address.';
    return undefined;
  }

  /** Throws `weak_password` with the reason. */
  check(password: unknown, context: { email?: string | null } = {}): asserts password is string {
    const problem = this.problem(password, context);
    if (problem) throw new FlowError('weak_password', problem);
  }
}

export function loadCommonPasswords(): string[] {
  // The file sits beside this module in the sources, and is copied beside the bundle by the apps' build.
  for (const dir of [__dirname, join(__dirname, 'assets'), process.cwd()]) {
    try {
      return readFileSync(join(dir, 'common-passwords.txt'), 'utf8').split('\n').filter(Boolean);
    } catch {
      continue;
    }
  }
  throw new Error('common-passwords.txt is missing: the password policy cannot refuse common passwords');
}
