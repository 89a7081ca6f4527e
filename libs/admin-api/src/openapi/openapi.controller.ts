import { Controller, Get, Inject, Param, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FastifyReply } from 'fastify';
import { createRequire } from 'node:module';
import { ADMIN_API_CONFIG } from '../admin-api.tokens';
import type { AdminApiConfig } from '../config/admin-api-config';
import { Problem } from '../http/problem';
import { ProblemDetailsFilter } from '../http/problem-details.filter';
import { OPENAPI_MODULE, OpenApiDocument } from './openapi-document';

// Resolved at run time from beside the running code (the bundle keeps npm packages external).
const swaggerUiDir = () => dirname(createRequire(__filename).resolve('swagger-ui-dist/package.json'));

/** Swagger UI's files served here, so that the docs page loads nothing from elsewhere. */
const UI_FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
};

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Tessera admin API</title><link rel="stylesheet" href="/admin/api/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/admin/api/docs/swagger-ui-bundle.js"></script>
<script src="/admin/api/docs/swagger-ui-standalone-preset.js"></script>
<script src="/admin/api/docs/init.js"></script>
</body>
</html>`;

// A file, not an inline script: the page's Content-Security-Policy allows scripts from this origin only.
const INIT = `window.ui = SwaggerUIBundle({ url: '/admin/api/openapi.json', dom_id: '#swagger-ui', presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });\n`;

const CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** `/admin/api/openapi.json` and the browsable docs beside it (`/admin/api/docs`). Public: they describe, they do not act. */
@ApiExcludeController()
@Controller('admin/api')
@UseFilters(ProblemDetailsFilter)
export class OpenApiController {
  constructor(
    private readonly document: OpenApiDocument,
    @Inject(ADMIN_API_CONFIG) private readonly config: AdminApiConfig,
    @Inject(OPENAPI_MODULE) private readonly moduleClass: object,
  ) {}

  @Get('openapi.json')
  openapi() {
    return this.document.get(this.config.issuer, this.moduleClass);
  }

  @Get('docs')
  page(@Res() reply: FastifyReply) {
    void reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', CSP).header('x-frame-options', 'DENY').send(PAGE);
  }

  @Get('docs/init.js')
  init(@Res() reply: FastifyReply) {
    void reply.header('content-type', 'text/javascript; charset=utf-8').send(INIT);
  }

  @Get('docs/:file')
  async asset(@Param('file') file: string, @Res() reply: FastifyReply) {
    const type = Object.hasOwn(UI_FILES, file) ? UI_FILES[file] : undefined;
    if (!type) throw Problem.notFound('No such file.');
    const body = await readFile(join(swaggerUiDir(), file));
    void reply.header('content-type', type).header('cache-control', 'public, max-age=86400').send(body);
  }
}
