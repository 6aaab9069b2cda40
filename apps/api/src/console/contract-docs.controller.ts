import * as fs from 'node:fs';
import * as path from 'node:path';
import { Controller, Get, Header, HttpStatus, Inject, Param } from '@nestjs/common';
import type { AppConfig } from '@aidwatch/config';
import { asyncApiDocument, outboundSchemas, publishedSchemas } from '@aidwatch/domain';
import { Roles } from '@aidwatch/access';
import { Allow, ApiError, APP_CONFIG, ApiJsonResponse, ApiSummary } from '@aidwatch/runtime';
import { SchemaIndexSchema } from '../shared/api-schemas';
import { ApiResponse } from '@nestjs/swagger';

/** Version of the external contract the document describes (docs/contract.md, v1 with the v1.1 and v1.2 additions). */
export const CONTRACT_VERSION = '1.2.0';

/**
 * The machine-readable contract: `GET /docs/asyncapi` (AsyncAPI 3.0, JSON), the JSON Schema of every event
 * and data shape at `/docs/asyncapi/schemas/<name>.json`, and the contract text at
 * `/docs/asyncapi/contract.md`. All are generated from the event catalogue, except the text. Any
 * credential may read them (every role builds against the contract).
 */
@Controller('docs/asyncapi')
@Allow(...Roles)
export class ContractDocsController {
  private readonly document: object;
  /** Every type in (what producers send) and out (what AidWatch publishes), whole event and data. */
  private readonly schemas = { ...publishedSchemas(), ...outboundSchemas() };

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.document = asyncApiDocument({ version: CONTRACT_VERSION, brokers: config.kafka?.brokers });
  }

  @Get()
  @ApiSummary('The AsyncAPI 3.0 document of every topic and event type')
  @ApiJsonResponse(
    200,
    {
      type: 'object',
      required: ['asyncapi', 'channels'],
      properties: { asyncapi: { type: 'string' }, channels: { type: 'object' } },
    },
    'the AsyncAPI document',
  )
  asyncApi(): object {
    return this.document;
  }

  @Get('schemas')
  @ApiSummary('The addresses of the JSON Schemas of every event and data shape')
  @ApiJsonResponse(200, SchemaIndexSchema, 'one address per schema')
  schemaIndex(): { schemas: string[] } {
    return { schemas: Object.keys(this.schemas).map((name) => `/docs/asyncapi/schemas/${name}.json`) };
  }

  @Get('schemas/:name')
  @Header('content-type', 'application/schema+json')
  @ApiSummary('One JSON Schema (draft-07) by name: <type>.json or <type>.data.json')
  @ApiResponse({
    status: 200,
    description: 'the schema',
    content: { 'application/schema+json': { schema: { type: 'object' } } },
  })
  schema(@Param('name') name: string): object {
    const schema = this.schemas[name.replace(/\.json$/, '')];
    if (!schema) {
      throw new ApiError(HttpStatus.NOT_FOUND, `no schema named '${name}'`, [
        { field: 'name', message: `one of: ${Object.keys(this.schemas).join(', ')}` },
      ]);
    }
    return schema;
  }

  @Get('contract.md')
  @Header('content-type', 'text/markdown; charset=utf-8')
  @ApiSummary('The contract text (docs/contract.md)')
  @ApiResponse({
    status: 200,
    description: 'Markdown',
    content: { 'text/markdown': { schema: { type: 'string' } } },
  })
  contract(): string {
    const file = contractFile();
    if (!file) throw new ApiError(HttpStatus.NOT_FOUND, 'docs/contract.md is not shipped with this build');
    return fs.readFileSync(file, 'utf8');
  }
}

// docs/contract.md sits at the repository root, above both the sources and dist/.
function contractFile(): string | undefined {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'docs', 'contract.md');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}
