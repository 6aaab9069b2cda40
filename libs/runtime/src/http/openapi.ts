import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ERROR_RESPONSES, ErrorBodySchema, PUBLIC_OPERATION, REQUEST_BODY } from './api-docs';

type Operation = {
  parameters?: Array<{ in: string }>;
  requestBody?: unknown;
  responses: Record<string, unknown>;
  security?: unknown[];
  [extension: string]: unknown;
};

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/**
 * What the generated document lacks and every operation shares: `servers` (this server), the license, the
 * error body as a component, the 4xx answers each operation can give (400 when it takes parameters or a
 * body, 401 and 403 unless it is public, 404 when its path names something, 429 always) and `security: []`
 * on the public ones (`ApiSummary(…, {public: true})`).
 */
export function completeOpenApi(document: OpenAPIObject): OpenAPIObject {
  // Relative: the host and port the document was read from, whatever PORT the server runs on.
  document.servers = [{ url: '/', description: 'this server (where this document was read from)' }];
  document.info.license = { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' };
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, Error: ErrorBodySchema },
  };
  for (const item of Object.values(document.paths))
    for (const [method, value] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const operation = value as Operation;
      const isPublic = operation[PUBLIC_OPERATION] === true;
      delete operation[PUBLIC_OPERATION];
      if (operation[REQUEST_BODY]) operation.requestBody = operation[REQUEST_BODY];
      delete operation[REQUEST_BODY];
      if (isPublic) operation.security = [];
      const responses = operation.responses;
      const add = (status: string, description: string) => (responses[status] ??= errorResponse(description));
      if ((operation.parameters ?? []).length > 0 || operation.requestBody)
        add('400', 'invalid request: each bad field or event is named in `details`');
      if (!isPublic) {
        add('401', 'no credential, or a bad one (`WWW-Authenticate: Bearer`)');
        add('403', "the credential's role or organisation may not do this");
      }
      if ((operation.parameters ?? []).some((p) => p.in === 'path')) add('404', 'no such resource');
      for (const [status, description] of Object.entries(
        (operation[ERROR_RESPONSES] as Record<string, string> | undefined) ?? {},
      ))
        add(status, description);
      delete operation[ERROR_RESPONSES];
      add('429', 'too many requests for this credential (RATE_LIMIT_REQUESTS per RATE_LIMIT_WINDOW_SEC)');
    }
  return document;
}

/**
 * The document's title for the process `name`: "AidWatch" for the all-in-one process (`aidwatch`),
 * "AidWatch <name>" for one of its parts run alone (`api`).
 */
export const openApiTitle = (name: string): string =>
  name.toLowerCase() === 'aidwatch' ? 'AidWatch' : `AidWatch ${name}`;

/** OpenAPI for every endpoint: the document at `/docs-json`, a browsable UI at `/docs` (served locally). */
export function configureOpenApi(app: INestApplication, title: string): void {
  const config = new DocumentBuilder()
    .setTitle(openApiTitle(title))
    .setDescription(
      'Monitoring of humanitarian aid shipped under UN sanctions exemptions: CloudEvents intake, consignments, risk flags, alerts, webhooks, audit. Every endpoint but `GET /health` needs `Authorization: Bearer <API key or JWT>`; errors are `{error, details[]}`. Events and topics: `/docs/asyncapi` (docs/contract.md).',
    )
    .setVersion('1.2')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key (awk_…) or JWT' })
    .addSecurityRequirements('bearer')
    .build();
  const document = completeOpenApi(SwaggerModule.createDocument(app, config));
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
