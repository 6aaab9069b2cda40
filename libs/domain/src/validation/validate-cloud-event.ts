import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError, type ValidatorOptions } from 'class-validator';
import type { FieldError } from '../cloud-event';
import type { AidEvent } from '../events';
import { readContextAttributes } from './context-attributes';
import { crossFieldProblems } from './cross-field-rules';
import { CloudEventEnvelopeDto } from './envelope.dto';
import {
  EventDataDtos,
  InboundEventTypes,
  isInboundEventType,
  type InboundEventType,
} from './event-data.dtos';
import { hasNestedFields } from './field-rules';

export type Rejection = { ok: false; reason: string; errors: FieldError[] };
export type EventValidation = { ok: true; event: AidEvent } | Rejection;

const validatorOptions: ValidatorOptions = {
  // Unknown attributes and data fields are part of the contract: kept, never stripped or refused.
  whitelist: false,
  forbidNonWhitelisted: false,
  forbidUnknownValues: true,
  stopAtFirstError: true,
  validationError: { target: false, value: false },
};

/**
 * Checks the CloudEvents envelope (context attributes per CloudEvents 1.0, see `readContextAttributes`) and
 * the `data` of an inbound event (JSON format). Returns the event as read: the input itself, or a copy
 * without `null` optional attributes and with `data_base64` decoded.
 */
export function validateCloudEvent(input: unknown): EventValidation {
  if (!isJsonObject(input)) {
    return reject(input, [{ field: '', message: 'an event must be a JSON object' }]);
  }
  const attributes = readContextAttributes(input);
  const event = attributes.event;
  const errors = [...attributes.errors, ...check(filled(new CloudEventEnvelopeDto(), event), '')];
  const { type, data } = event;
  if (!isInboundEventType(type)) {
    if (typeof type === 'string' && type.trim() !== '') {
      errors.push({
        field: 'type',
        message: `type '${type}' is not accepted; accepted types: ${InboundEventTypes.join(', ')}`,
      });
    }
  } else if (!isJsonObject(data)) {
    // An undecodable data_base64 is already named; "data is missing" would only repeat it.
    if (data !== undefined || !('data_base64' in event))
      errors.push({ field: 'data', message: 'data must be a JSON object' });
  } else {
    errors.push(...check(toDataInstance(type, data), 'data'));
  }
  if (errors.length === 0) errors.push(...crossFieldProblems(event));
  return errors.length === 0 ? { ok: true, event: event as unknown as AidEvent } : reject(event, errors);
}

const nestedDataTypes = new Set(InboundEventTypes.filter((type) => hasNestedFields(EventDataDtos[type])));

function toDataInstance(type: InboundEventType, data: Record<string, unknown>): object {
  const dto = EventDataDtos[type] as new () => object;
  return nestedDataTypes.has(type) ? plainToInstance(dto, data) : filled(new dto(), data);
}

/**
 * Keys never copied onto a DTO for validation: Object.assign would run the `__proto__` setter and swap the DTO's
 * class, and an own `constructor` hides the class from class-validator, which then refuses the whole object as
 * "an unknown value". Neither is a declared field, so nothing they hold is checked; the event keeps them.
 */
const UNCOPIED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor']);

function filled<T extends object>(instance: T, source: Record<string, unknown>): T {
  const target = instance as Record<string, unknown>;
  for (const key of Object.keys(source)) if (!UNCOPIED_KEYS.has(key)) target[key] = source[key];
  return instance;
}

export function rejection(reason: string, errors: FieldError[]): Rejection {
  return { ok: false, reason, errors };
}

function reject(input: unknown, errors: FieldError[]): Rejection {
  return rejection(summarise(input, errors), errors);
}

export function summarise(input: unknown, errors: FieldError[]): string {
  const event = isJsonObject(input) ? input : {};
  const type = typeof event.type === 'string' && event.type !== '' ? event.type : 'CloudEvent';
  const id = typeof event.id === 'string' && event.id !== '' ? ` '${event.id}'` : '';
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return `invalid ${type}${id}: ${errors[0]?.message ?? 'rejected'}${more}`;
}

function check(instance: object, prefix: string): FieldError[] {
  const out: FieldError[] = [];
  flatten(validateSync(instance, validatorOptions), prefix, out);
  return out;
}

function flatten(errors: ValidationError[], prefix: string, out: FieldError[]): void {
  for (const error of errors) {
    const field = prefix === '' ? error.property : `${prefix}.${error.property}`;
    for (const message of Object.values(error.constraints ?? {})) {
      out.push({ field, message: withPath(message, error.property, field) });
    }
    if (error.children?.length) flatten(error.children, field, out);
  }
}

// class-validator messages open with the bare property name; the dotted path reads better on its own.
function withPath(message: string, property: string, field: string): string {
  if (message.startsWith(`${property} `)) return `${field}${message.slice(property.length)}`;
  if (message.startsWith(`nested property ${property} `)) {
    return `${field}${message.slice(`nested property ${property}`.length)}`;
  }
  if (message.startsWith('must ')) return `${field} ${message}`;
  return `${field}: ${message}`;
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
