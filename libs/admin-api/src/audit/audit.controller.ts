import { ApiTags } from '@nestjs/swagger';
import { Controller, Get, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { AdminGuard } from '../auth/admin.guard';
import { AdminRead } from '../auth/scopes';
import { ProblemDetailsFilter } from '../http/problem-details.filter';
import { Problem } from '../http/problem';
import { decodeCursor, encodeCursor, instant, pageSize, single } from '../http/request-input';
import { AuditLog, type AuditFilter } from './audit-log';

/**
 * The audit log: `?actor=&subject=&client_id=&type=a,b,login.*&since=&until=` (ISO 8601 or epoch
 * ms), newest first, with `?cursor=&limit=` paging; `/export` streams every match as NDJSON.
 */
@Controller('admin/api/audit')
@UseGuards(AdminGuard)
@ApiTags('audit')
@UseFilters(ProblemDetailsFilter)
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  @AdminRead('Read the audit log')
  async list(@Query() query: Record<string, unknown>) {
    const limit = pageSize(query);
    const filter = filterOf(query);
    const cursor = decodeCursor(query);
    if (cursor !== undefined) filter.before = positiveInteger(cursor);
    const { entries, next } = await this.audit.page(filter, limit);
    return { items: entries, ...(next !== undefined ? { next_cursor: encodeCursor(next) } : {}) };
  }

  @Get('export')
  @AdminRead('Export the audit log as NDJSON')
  export(@Query() query: Record<string, unknown>, @Res() reply: FastifyReply) {
    const filter = filterOf(query);
    const lines = Readable.from(
      (async function* (entries: AsyncGenerator<unknown>) {
        for await (const entry of entries) yield `${JSON.stringify(entry)}\n`;
      })(this.audit.all(filter)),
    );
    void reply.header('content-type', 'application/x-ndjson; charset=utf-8').header('cache-control', 'no-store').header('content-disposition', 'attachment; filename="tessera-audit.ndjson"').send(lines);
  }
}

function filterOf(query: Record<string, unknown>): AuditFilter {
  const known = new Set(['actor', 'subject', 'client_id', 'type', 'since', 'until', 'cursor', 'limit']);
  const unknown = Object.keys(query).filter((k) => !known.has(k));
  if (unknown.length) throw Problem.badRequest(`Unknown filters: ${unknown.join(', ')}.`);
  const types = single(query, 'type')
    ?.split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (types?.some((t) => !/^[a-z_]+(\.[a-z_]+)*(\.\*)?$/.test(t))) throw Problem.badRequest('type must be event names (or family.*), comma-separated.');
  const since = instant(query, 'since');
  const until = instant(query, 'until');
  if (since !== undefined && until !== undefined && since >= until) throw Problem.badRequest('since must be before until.');
  return {
    actor: single(query, 'actor'),
    subject: single(query, 'subject'),
    client: single(query, 'client_id'),
    ...(types?.length ? { types } : {}),
    since,
    until,
  };
}

function positiveInteger(value: string): number {
  if (!/^\d{1,15}$/.test(value)) throw Problem.badRequest('cursor is not one this API gave.');
  return Number(value);
}
