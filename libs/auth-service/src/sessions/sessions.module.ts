import { Module } from '@nestjs/common';
import { LogoutController } from '../flows/logout.controller';
import { SessionEndedConsumer } from './session-ended.consumer';

/**
 * Signing out, and ending login sessions that the token service ended. Not part of the global
 * core: a service's event consumers are found in its non-global modules.
 */
@Module({ controllers: [LogoutController], providers: [SessionEndedConsumer] })
export class SessionsModule {}
