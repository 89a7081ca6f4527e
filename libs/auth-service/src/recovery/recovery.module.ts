import { Module } from '@nestjs/common';
import { MailModule } from '../mail/mail.module';
import { SignupModule } from '../signup/signup.module';
import { RecoveryController } from './recovery.controller';
import { RecoveryService } from './recovery.service';

/** Password reset by mail (`/auth/recovery`), on the sign-up feature's links and mail quotas. */
@Module({
  imports: [MailModule, SignupModule],
  controllers: [RecoveryController],
  providers: [RecoveryService],
})
export class RecoveryModule {}
