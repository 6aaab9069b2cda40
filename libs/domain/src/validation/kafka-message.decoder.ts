import type { FieldError } from '../cloud-event';
import { TopicEventTypes } from '../event-catalogue';
import type { AidEvent } from '../events';
import {
  isJsonObject,
  rejection,
  summarise,
  unvalidated,
  type EventValidation,
} from './validate-cloud-event';
import { validateInboundEvent } from './compiled-event-validator';
import { isJsonMediaType, mediaTypeOf } from './context-attributes';
import { eventDepthRejection, MAX_JSON_DEPTH } from './json-depth';

export interface KafkaInboundMessage {
  topic: string;
  value: Buffer | null;
  headers: Record<string, string | undefined>;
}

const CE_PREFIX = 'ce_';
const STRUCTURED_JSON = 'application/cloudevents+json';

/**
 * The CloudEvents Kafka protocol binding: structured mode (the whole event as the JSON value) or binary
 * mode (attributes in `ce_*` headers, `data` as the value). The type must belong to the topic it came on.
 */
export function decodeKafkaMessage(
  message: KafkaInboundMessage,
  maxDepth: number = MAX_JSON_DEPTH,
): EventValidation {
  // A message that makes decoding itself fail is dead-lettered with the reason, never a crashed consumer.
  try {
    const decoded = decodeOnce(message);
    // Held to LIMIT_JSON_DEPTH as HTTP's events are (`eventDepthRejection`): storing or copying a deeper event
    // can overflow the stack (JSON.stringify from about 6,000 levels), which would hold its partition for ever.
    const tooDeep = decoded.ok ? eventDepthRejection(decoded.event, maxDepth) : undefined;
    return tooDeep ? rejection(tooDeep.reason, tooDeep.errors) : decoded;
  } catch (error) {
    return unvalidated(undefined, error);
  }
}

function decodeOnce(message: KafkaInboundMessage): EventValidation {
  const headers = lowerCaseKeys(message.headers);
  const contentType = headers['content-type'];
  const mediaType = contentType === undefined ? undefined : mediaTypeOf(contentType);

  let decoded: EventValidation;
  if (mediaType?.startsWith('application/cloudevents')) {
    decoded =
      mediaType === STRUCTURED_JSON
        ? decodeStructured(message.value)
        : rejection(`unsupported structured content-type '${contentType}'; expected ${STRUCTURED_JSON}`, [
            { field: 'content-type', message: `content-type must be ${STRUCTURED_JSON} in structured mode` },
          ]);
  } else if (headers[`${CE_PREFIX}specversion`] !== undefined) {
    decoded = decodeBinary(message.headers, contentType, message.value);
  } else {
    decoded = decodeStructured(message.value);
  }
  return decoded.ok ? checkTopic(decoded.event, message.topic) : decoded;
}

function decodeStructured(value: Buffer | null): EventValidation {
  const parsed = parseJson(value, 'value', 'the message value');
  if (!parsed.ok) return parsed;
  if (!isJsonObject(parsed.json) || !('specversion' in parsed.json)) {
    return rejection('not a CloudEvent: no ce_specversion header and the value has no specversion', [
      { field: 'specversion', message: 'specversion is missing from both the headers and the value' },
    ]);
  }
  return validateInboundEvent(parsed.json);
}

// Kafka header names are case-sensitive: `ce_` is matched in any case, the attribute name is kept as sent
// (and refused when it is not lower case).
function decodeBinary(
  headers: Record<string, string | undefined>,
  contentType: string | undefined,
  value: Buffer | null,
): EventValidation {
  if (contentType !== undefined && !isJsonMediaType(contentType)) {
    return rejection(`unsupported content-type '${contentType}'; data must be JSON`, [
      { field: 'datacontenttype', message: `datacontenttype '${contentType}' is not JSON` },
    ]);
  }
  const parsed = parseJson(value, 'data', 'the data (message value)');
  if (!parsed.ok) return parsed;

  const event: Record<string, unknown> = {};
  for (const [name, headerValue] of Object.entries(headers)) {
    if (headerValue === undefined || name.length <= CE_PREFIX.length) continue;
    if (name.slice(0, CE_PREFIX.length).toLowerCase() === CE_PREFIX)
      event[name.slice(CE_PREFIX.length)] = headerValue;
  }
  if (contentType !== undefined) event.datacontenttype = contentType;
  event.data = parsed.json;
  return validateInboundEvent(event);
}

type Parsed = { ok: true; json: unknown } | Extract<EventValidation, { ok: false }>;

function parseJson(value: Buffer | null, field: string, what: string): Parsed {
  const text = value?.toString('utf8') ?? '';
  if (text.trim() === '') {
    return rejection(`empty message: ${what} is missing`, [{ field, message: `${field} is empty` }]);
  }
  try {
    return { ok: true, json: JSON.parse(text) };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return rejection(`malformed JSON in ${what}: ${detail}`, [
      { field, message: `${field} is not valid JSON: ${detail}` },
    ]);
  }
}

function checkTopic(event: AidEvent, topic: string): EventValidation {
  const accepted = TopicEventTypes[topic];
  if (accepted?.includes(event.type)) return { ok: true, event };
  const errors: FieldError[] = [
    {
      field: 'type',
      message: accepted
        ? `type '${event.type}' does not belong on topic ${topic}; it carries: ${accepted.join(', ')}`
        : `type '${event.type}' arrived on topic ${topic}, which carries no inbound event types`,
    },
  ];
  return rejection(summarise(event, errors), errors);
}

function lowerCaseKeys(headers: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}
