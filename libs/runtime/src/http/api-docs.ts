import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiExtension, ApiOperation, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { targetConstructorToSchema } from 'class-validator-jsonschema';

/** A JSON Schema as OpenAPI 3.0 embeds it. */
export type ApiSchema = SchemaObject;

/** Marks an operation that needs no credential; `configureOpenApi` gives it `security: []`. */
export const PUBLIC_OPERATION = 'x-aidwatch-public';

/** The contract's error body (`{error, details[]}`), the answer of every 4xx and 5xx. */
export const ErrorBodySchema: ApiSchema = {
  type: 'object',
  required: ['error', 'details'],
  properties: {
    error: { type: 'string', description: 'what went wrong, in a sentence' },
    details: {
      type: 'array',
      description:
        "one entry per problem: `{field, message}`, or for events `{index, id, reason, errors[], moreErrors?}` (at most LIMIT_ERROR_DETAILS; `moreErrors`: the event's problems left out of `errors`)",
      items: { type: 'object' },
    },
    moreDetails: { type: 'integer', description: 'details left out beyond LIMIT_ERROR_DETAILS' },
  },
};

/**
 * The query parameters of an operation, generated from the class-validator DTO the server validates the
 * query with (`queryValidationPipe`), one per property: its JSON Schema (enum, pattern, bounds), whether it is
 * required (no `@IsOptional`), its default (the DTO's initial value). A parameter the DTO does not declare is
 * refused by the server (400), so the document lists exactly what it accepts.
 */
export function ApiQueryFrom(
  dto: new () => object,
  descriptions: Record<string, string> = {},
): MethodDecorator {
  const schema = targetConstructorToSchema(dto) as SchemaObject;
  const required = new Set(schema.required ?? []);
  const defaults = new dto() as Record<string, unknown>;
  return applyDecorators(
    ...Object.entries(schema.properties ?? {}).map(([name, property]) =>
      ApiQuery({
        name,
        required: required.has(name),
        description: descriptions[name],
        schema: {
          ...(property as SchemaObject),
          ...(defaults[name] !== undefined && { default: defaults[name] }),
        },
      }),
    ),
  );
}

/** A JSON request body, from its class-validator DTO (the one `ValidationPipe` checks it with). */
export function ApiJsonBodyFrom(dto: new () => object, description?: string): MethodDecorator {
  return ApiBody({ description, schema: targetConstructorToSchema(dto) as SchemaObject, required: true });
}

/**
 * An operation's summary and, when it needs no credential, `security: []`. Every operation has one
 * (Redocly's `operation-summary` rule).
 */
export function ApiSummary(summary: string, options: { description?: string; public?: boolean } = {}) {
  return applyDecorators(
    ApiOperation({ summary, description: options.description }),
    ...(options.public ? [ApiExtension(PUBLIC_OPERATION, true)] : []),
  );
}

/** Carries a request body with several media types into the document (`completeOpenApi` moves it). */
export const REQUEST_BODY = 'x-aidwatch-request-body';

/**
 * A request body with a schema per media type (`ApiBody` takes only one schema for all of them), e.g. the
 * CloudEvents modes or NMEA text.
 */
export function ApiRequestBody(body: {
  description?: string;
  content: Record<string, { schema: ApiSchema }>;
}): MethodDecorator {
  return ApiExtension(REQUEST_BODY, { required: true, ...body });
}

/** A 2xx answer with a JSON body of the given schema. */
export function ApiJsonResponse(status: number, schema: ApiSchema, description: string): MethodDecorator {
  return ApiResponse({ status, description, content: { 'application/json': { schema } } });
}

export const ERROR_RESPONSES = 'x-aidwatch-errors';

/** Error answers beyond those every operation gets (400/401/403/404/429): status → when, with the error body. */
export function ApiErrors(errors: Record<string, string>): MethodDecorator {
  return ApiExtension(ERROR_RESPONSES, errors);
}
