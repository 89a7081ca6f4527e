import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { ensureSecretFile, randomSecret, InjectLogger, PLATFORM_CONFIG, type PlatformConfig } from '@tessera/runtime';
import { AUTH_SERVICE_DATA_SOURCE } from '../auth-service.tokens';
import { AUTH_SERVICE_CONFIG, type AuthServiceConfig } from '../config/auth-service-config';
import { UserEntity } from '../database/entities/user.entity';
import { FlowError } from '../http/flow-error';
import { UsersService } from './users.service';

export const GENERATED_ADMIN_EMAIL = 'admin@tessera.localhost';
export const ADMIN_PASSWORD_FILE = 'admin-password';

/**
 * The first administrator. With TESSERA_ADMIN_EMAIL and TESSERA_ADMIN_PASSWORD it is created
 * from them (once: later starts leave an existing account alone). On the embedded default
 * without them, a generated password is written once to a 0600 file in the data directory;
 * the start-up log names the file, never the password.
 */
@Injectable()
export class BootstrapAdminService implements OnApplicationBootstrap {
  constructor(
    private readonly users: UsersService,
    @Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(AUTH_SERVICE_CONFIG) private readonly config: AuthServiceConfig,
    @Inject(PLATFORM_CONFIG) private readonly platform: PlatformConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap() {
    const { adminEmail, adminPassword } = this.config;
    if (adminEmail && adminPassword) {
      if (!(await this.users.findByEmail(adminEmail))) await this.createAdmin(adminEmail, adminPassword);
      return;
    }
    if (await this.adminExists()) return;
    if (this.platform.databaseUrl) {
      this.logger.warn('No administrator exists: set TESSERA_ADMIN_EMAIL and TESSERA_ADMIN_PASSWORD, or run `npm run tessera -- users create --email <email> --password <password> --role admin`.');
      return;
    }
    const secret = ensureSecretFile(this.platform.dataDir, ADMIN_PASSWORD_FILE, () => randomSecret(18));
    await this.createAdmin(GENERATED_ADMIN_EMAIL, secret.value);
    this.logger.info({ email: GENERATED_ADMIN_EMAIL, passwordFile: secret.path }, 'created the first administrator; the password is in the file named here');
    process.stdout.write(`  Administrator:    ${GENERATED_ADMIN_EMAIL}, password in ${secret.path} (mode 0600)\n`);
  }

  private async adminExists(): Promise<boolean> {
    // roles is a JSON array in a text column on both engines.
    const count = await this.dataSource.manager.createQueryBuilder(UserEntity, 'u').where('u.roles LIKE :admin', { admin: '%"admin"%' }).getCount();
    return count > 0;
  }

  private async createAdmin(email: string, password: string) {
    try {
      await this.users.create({ email, password, emailVerified: true, roles: ['admin'] });
    } catch (err) {
      // Another replica created it at the same moment.
      if (err instanceof FlowError && err.code === 'conflict') return;
      throw err;
    }
  }
}
