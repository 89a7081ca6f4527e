import type { Type } from '@nestjs/common';
import { MfaModule } from './mfa/mfa.module';
import { PasskeysModule } from './passkeys/passkeys.module';
import { MailModule } from './mail/mail.module';
import { RecoveryModule } from './recovery/recovery.module';
import { SignupModule } from './signup/signup.module';
import { UpstreamModule } from './upstream/upstream.module';
import { SessionsModule } from './sessions/sessions.module';

/**
 * The authentication service's feature modules (MFA, passkeys, upstream IdPs, sign-up and
 * recovery): each owns its folder, tables and controllers, and injects the global core.
 */
export const FEATURE_MODULES: Type[] = [SessionsModule, MfaModule, PasskeysModule, MailModule, SignupModule, RecoveryModule, UpstreamModule];
