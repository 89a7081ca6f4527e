import { Controller, Get, HttpCode, Param, Post, Req, UseFilters, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DeadLetters, UnreplayableDeadLetterError, type DeadLetterView } from '@tessera/events';
import { AdminGuard, type AdminRequest } from '../auth/admin.guard';
import { AdminRead, AdminWrite } from '../auth/scopes';
import { AuditLog } from '../audit/audit-log';
import { Problem } from '../http/problem';
import { ProblemDetailsFilter } from '../http/problem-details.filter';
import { AuthServiceApi, TokenServiceApi, type InternalApi } from '../upstream/internal-api';

const SERVICES = ['token-service', 'auth-service', 'admin-api'] as const;
type Service = (typeof SERVICES)[number];

/**
 * Events that could not be handled after every retry, in each service's own store: listed
 * together (without their payloads), and sent again one by one once the cause is fixed.
 */
@Controller('admin/api/dead-letters')
@UseGuards(AdminGuard)
@ApiTags('operations')
@UseFilters(ProblemDetailsFilter)
export class DeadLettersController {
  constructor(
    private readonly own: DeadLetters,
    private readonly tokenService: TokenServiceApi,
    private readonly authService: AuthServiceApi,
    private readonly audit: AuditLog,
  ) {}

  @Get()
  @AdminRead('Dead-lettered events of every service', 'The most recent first, at most 100 per service.')
  async list() {
    const [token, auth, admin] = await Promise.all([
      this.tokenService.call<DeadLetterView[]>('GET', '/internal/dead-letters/token-service'),
      this.authService.call<DeadLetterView[]>('GET', '/internal/dead-letters/auth-service'),
      this.own.list(),
    ]);
    const tagged = (service: Service, letters: DeadLetterView[]) => letters.map((l) => ({ service, ...l }));
    return [...tagged('token-service', token), ...tagged('auth-service', auth), ...tagged('admin-api', admin)].sort((a, b) => (a.failed_at < b.failed_at ? 1 : -1));
  }

  @Post(':service/:id/retry')
  @HttpCode(202)
  @AdminWrite('Send a dead-lettered event again')
  async retry(@Param('service') service: string, @Param('id') id: string, @Req() req: AdminRequest) {
    if (!(SERVICES as readonly string[]).includes(service)) throw Problem.notFound(`No such service; one of: ${SERVICES.join(', ')}.`);
    if (!/^[0-9a-f-]{36}$/.test(id)) throw Problem.notFound('No such dead letter.');
    if (service === 'admin-api') {
      try {
        if (!(await this.own.retry(id))) throw Problem.notFound('No such dead letter.');
      } catch (err) {
        if (err instanceof UnreplayableDeadLetterError) throw Problem.badRequest(err.message);
        throw err;
      }
    } else {
      const api: InternalApi = service === 'token-service' ? this.tokenService : this.authService;
      // Each service's internal route names it: in embedded mode all of them share one internal listener.
      await api.call('POST', `/internal/dead-letters/${service}/${encodeURIComponent(id)}/retry`);
    }
    await this.audit.action(req.actor, 'dead_letter.retried', { details: { service, id } });
    return { service, retried: id };
  }
}
