import { Injectable } from '@nestjs/common';

/** A kind of second factor (TOTP, passkey, recovery code, email code) as the login flow sees it. */
export interface SecondFactor {
  /** Its name in the flow API (`totp`, `passkey`, `recovery_code`, `email_code`). */
  name: string;
  /** Whether the user has it enrolled: enrolling any "primary" factor makes MFA required at every login. */
  enrolled(sub: string): Promise<boolean>;
  /** Whether enrolling it makes MFA mandatory (recovery and email codes only stand in for one). */
  makesMfaRequired: boolean;
  /** An administrator's MFA reset removes it (for a person who lost the device); true when there was one. */
  reset?(sub: string): Promise<boolean>;
}

/**
 * The second factors the features register at start. The login flow asks it which factors a
 * user can use, and whether MFA is required because the user enrolled one.
 */
@Injectable()
export class SecondFactors {
  private readonly factors: SecondFactor[] = [];

  register(factor: SecondFactor): void {
    this.factors.push(factor);
  }

  /** The factors the user can complete a login with. */
  async availableTo(sub: string): Promise<string[]> {
    const enrolled = await Promise.all(this.factors.map(async (f) => ((await f.enrolled(sub)) ? f.name : undefined)));
    return enrolled.filter((n): n is string => n !== undefined);
  }

  /** An administrator's MFA reset: every factor that can be reset is removed; the names of those there were. */
  async reset(sub: string): Promise<string[]> {
    const removed: string[] = [];
    for (const f of this.factors) if (f.reset && (await f.reset(sub))) removed.push(f.name);
    return removed;
  }

  /** True when the user enrolled a factor that makes MFA mandatory for them. */
  async requiredFor(sub: string): Promise<boolean> {
    for (const f of this.factors) if (f.makesMfaRequired && (await f.enrolled(sub))) return true;
    return false;
  }
}
