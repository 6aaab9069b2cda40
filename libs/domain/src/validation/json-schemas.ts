import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { CatalogueEntries, catalogueEntryOf, type InboundEventType } from '../event-catalogue';
import { CloudEventEnvelopeDto } from './envelope.dto';
import { FieldPatterns, nestedDtoOf } from './field-rules';

/** A JSON Schema (draft-07 keywords only, so AsyncAPI 3 can embed it as is). */
export type JsonSchema = { [keyword: string]: unknown };

/**
 * A custom keyword: the date-time must not be before the one in the named sibling property (e.g.
 * `validUntil` not before `validFrom`). JSON Schema cannot compare two values; validators that do not
 * know the keyword ignore it.
 */
export const NOT_BEFORE_KEYWORD = 'x-aidwatch-not-before';

const NON_EMPTY = { type: 'string', pattern: '\\S' };
const pattern = (p: RegExp): JsonSchema => ({ type: 'string', pattern: p.source });

// The JSON Schema of each class-validator rule the DTOs use. A rule missing here fails schema derivation
// (and its test), so a new rule cannot silently drop out of the published schemas.
const ruleSchemas: Record<string, (constraints: unknown[]) => JsonSchema> = {
  isNonEmptyString: () => NON_EMPTY,
  isString: () => ({ type: 'string' }),
  isEventTime: () => ({ type: 'string', format: 'date-time' }),
  isMmsi: () => pattern(FieldPatterns.mmsi),
  isImo: () => pattern(FieldPatterns.imo),
  isLocode: () => pattern(FieldPatterns.locode),
  isSha256Hex: () => pattern(FieldPatterns.sha256Hex),
  isHsCode: () => pattern(FieldPatterns.hsCode),
  isMediaType: () => pattern(FieldPatterns.mediaType),
  isAbsoluteUri: () => pattern(FieldPatterns.absoluteUri),
  isNonEmptyStringEach: ([max]) => ({ type: 'array', items: NON_EMPTY, maxItems: max }),
  isSha256HexEach: ([max]) => ({ type: 'array', items: pattern(FieldPatterns.sha256Hex), maxItems: max }),
  isNumberWithin: ([min, max]) => ({
    type: 'number',
    minimum: min,
    ...(max !== Infinity && { maximum: max }),
  }),
  isIntegerWithin: ([min, max]) => ({ type: 'integer', minimum: min, maximum: max }),
  isAisHeading: () => ({
    type: 'integer',
    anyOf: [{ minimum: 0, maximum: 359 }, { const: 511 }],
    description: 'degrees true, 0-359; 511 = not available (ITU-R M.1371)',
  }),
  isIn: ([values]) => ({ enum: values }),
  isArray: () => ({ type: 'array' }),
  arrayNotEmpty: () => ({ minItems: 1 }),
  arrayMaxSize: ([max]) => ({ maxItems: max }),
  // The element schema (an inlined DTO) says `type: object` already.
  eachIsObject: () => ({}),
  isObject: () => ({ type: 'object' }),
  isNotBefore: ([other]) => ({ [NOT_BEFORE_KEYWORD]: other }),
};

/** The JSON Schema of a DTO class, derived from its class-validator metadata; nested DTOs are inlined. */
export function schemaOfDto(dto: new () => object): JsonSchema {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const m of metadata) {
    const list = byProperty.get(m.propertyName) ?? [];
    list.push(m);
    byProperty.set(m.propertyName, list);
  }
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [property, rules] of byProperty) {
    let schema: JsonSchema = {};
    let optional = false;
    for (const rule of rules) {
      if (rule.type === 'conditionalValidation') optional = true;
      else if (rule.type === 'nestedValidation') {
        const nested = nestedDtoOf(dto, property);
        if (!nested) throw new Error(`${dto.name}.${property}: nested validation without a DTO`);
        schema = rule.each
          ? { ...schema, items: schemaOfDto(nested) }
          : { ...schemaOfDto(nested), ...schema };
      } else if (rule.type === 'customValidation') {
        const toSchema = rule.name === undefined ? undefined : ruleSchemas[rule.name];
        if (!toSchema) throw new Error(`${dto.name}.${property}: no JSON Schema for rule '${rule.name}'`);
        schema = merge(schema, toSchema(rule.constraints ?? []));
      } else {
        throw new Error(`${dto.name}.${property}: no JSON Schema for metadata of type '${rule.type}'`);
      }
    }
    properties[property] = schema;
    if (!optional) required.push(property);
  }
  return { type: 'object', required, properties };
}

function merge(a: JsonSchema, b: JsonSchema): JsonSchema {
  const out = { ...a };
  for (const [keyword, value] of Object.entries(b)) {
    if (keyword in out && JSON.stringify(out[keyword]) !== JSON.stringify(value)) {
      out.allOf = [...((out.allOf as JsonSchema[]) ?? []), { [keyword]: value }];
    } else out[keyword] = value;
  }
  return out;
}

/** The JSON Schema of `data` for an inbound event type. */
export function dataSchemaOf(type: InboundEventType): JsonSchema {
  const entry = catalogueEntryOf(type);
  return {
    title: `${entry.name} data`,
    description: `data of ${type}: ${entry.summary}`,
    ...schemaOfDto(entry.dto as new () => object),
  };
}

const EXTENSION_VALUE = {
  anyOf: [
    { type: 'string' },
    { type: 'boolean' },
    { type: 'integer', minimum: -(2 ** 31), maximum: 2 ** 31 - 1 },
  ],
};

/**
 * The whole event of one inbound type in the CloudEvents JSON format: the envelope (CloudEvents 1.0 plus
 * AidWatch's required `time`), attribute names and extension values, and the type's `data`. Optional
 * attributes sent as `null` count as absent and JSON `data_base64` as `data`; a validator applies that
 * reading (`readContextAttributes`) before this schema.
 */
export function eventSchemaOf(type: InboundEventType | undefined): JsonSchema {
  const envelope = schemaOfDto(CloudEventEnvelopeDto);
  const properties = envelope.properties as Record<string, JsonSchema>;
  return {
    ...(type && { title: catalogueEntryOf(type).name, $id: `urn:aidwatch:schema:${type}` }),
    type: 'object',
    required: [...(envelope.required as string[]), ...(type ? ['data'] : [])],
    properties: {
      ...properties,
      ...(type && { type: { const: type } }),
      data: type ? dataSchemaOf(type) : {},
      data_base64: { type: 'string', contentEncoding: 'base64' },
    },
    propertyNames: { pattern: '^([a-z0-9]{1,20}|data|data_base64)$' },
    additionalProperties: EXTENSION_VALUE,
    not: { required: ['data', 'data_base64'] },
  };
}

/** Every published schema by name: one per `data` shape and one per whole event. */
export function publishedSchemas(): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const entry of CatalogueEntries) {
    out[`${entry.type}.data`] = dataSchemaOf(entry.type);
    out[entry.type] = eventSchemaOf(entry.type);
  }
  return out;
}
