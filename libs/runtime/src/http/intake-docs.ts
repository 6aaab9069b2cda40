import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import { InboundEventTypes } from '@aidwatch/domain';
import { ApiJsonResponse, ApiRequestBody, type ApiSchema } from './api-docs';

const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

/**
 * One CloudEvent in the JSON format (CloudEvents 1.0 plus AidWatch's required `time`), as OpenAPI 3.0 can say
 * it. The full JSON Schema of each type, which the server validates with (`data` field by field), is served
 * at `/docs/asyncapi/schemas/<type>.json` (AsyncAPI: `/docs/asyncapi`).
 */
export const CloudEventSchema: ApiSchema = {
  type: 'object',
  description:
    'A CloudEvents 1.0 event in JSON. The JSON Schema of each type, `data` included, is at /docs/asyncapi/schemas/<type>.json.',
  required: ['specversion', 'id', 'source', 'type', 'time', 'data'],
  properties: {
    specversion: { type: 'string', enum: ['1.0'] },
    id: { type: 'string', description: 'unique per source; a repeat with the same content is accepted once' },
    source: { type: 'string', description: "a URI-reference the producer's credential may write under" },
    type: { type: 'string', enum: [...InboundEventTypes] },
    time: {
      type: 'string',
      format: 'date-time',
      description: 'RFC 3339 with a zone; at most MAX_FUTURE_SKEW ahead',
    },
    subject: { type: 'string' },
    datacontenttype: { type: 'string', enum: ['application/json'] },
    dataschema: { type: 'string', format: 'uri' },
    data: { type: 'object', description: "the type's data (see its JSON Schema)" },
  },
};

/** `{accepted: [ids]}`: the events stored (or already stored with the same content). */
export const AcceptedSchema: ApiSchema = {
  type: 'object',
  required: ['accepted'],
  properties: {
    accepted: { type: 'array', items: { type: 'string' }, description: 'ids of the events accepted' },
  },
};

/**
 * `POST /events`: the request body in the three CloudEvents HTTP modes (structured, batched, binary with
 * `ce-` headers), the 202 answer and the refusals (400 invalid, 403 not this credential's to write, 409 an id
 * stored with other content, 413 too large, 415 not UTF-8).
 */
export function ApiCloudEventsIntake(): MethodDecorator {
  return applyDecorators(
    ApiRequestBody({
      description:
        'Structured mode: one event (application/cloudevents+json); batched: an array (application/cloudevents-batch+json, at most LIMIT_BATCH_EVENTS, all or nothing, in order — a registration may precede its follow-ups); binary mode: the data as application/json with the attributes in ce- headers.',
      content: {
        'application/cloudevents+json': { schema: CloudEventSchema },
        'application/cloudevents-batch+json': { schema: { type: 'array', items: CloudEventSchema } },
        'application/json': {
          schema: { type: 'object', description: "binary mode: the event's data; attributes in ce- headers" },
        },
      },
    }),
    ApiHeader({ name: 'ce-type', required: false, description: 'binary mode: the event type' }),
    ApiJsonResponse(202, AcceptedSchema, 'every event accepted (stored once, in order)'),
    ApiResponse({
      status: 409,
      description: 'an id already stored with other content; nothing accepted',
      content: errorContent,
    }),
    ApiResponse({
      status: 413,
      description: 'body above LIMIT_BODY_BYTES or batch above LIMIT_BATCH_EVENTS',
      content: errorContent,
    }),
    ApiResponse({ status: 415, description: 'not UTF-8, or not a JSON media type', content: errorContent }),
  );
}
