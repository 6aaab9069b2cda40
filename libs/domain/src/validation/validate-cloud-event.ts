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
import { nestedDtoOf } from './field-rules';

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
 * without `null` optional attributes and with `data_base64` decoded. Never throws: should validation itself fail
 * on some input (a fault in it or in a library it uses), the event is refused with that reason rather than
 * stored unchecked or answered 500 (see `unvalidated`).
 */
export function validateCloudEvent(input: unknown): EventValidation {
  try {
    return validateOnce(input);
  } catch (error) {
    return unvalidated(input, error);
  }
}

/** The refusal of an event whose validation threw: field '' (the event), the error's message. */
export function unvalidated(input: unknown, error: unknown): Rejection {
  const why = error instanceof Error ? error.message : String(error);
  return reject(input, [
    {
      field: '',
      message: `the event could not be validated (${why.slice(0, 200)}); it is refused, not stored unchecked`,
    },
  ]);
}

function validateOnce(input: unknown): EventValidation {
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

function toDataInstance(type: InboundEventType, data: Record<string, unknown>): object {
  return toInstance(EventDataDtos[type] as new () => object, data);
}

/**
 * `source` as an instance of `dto` for class-validator: its fields copied as they are (but `UNCOPIED_KEYS`), and
 * each nested field the DTO declares (`IsArrayOf`, `IsNestedObject`) built the same way from its object, or from
 * each object of its array. Anything else is left as it came: unknown fields are kept by the contract and not
 * checked, so nothing walks into them — the work is linear in the declared fields, however large an unknown
 * field is (class-transformer's `plainToInstance`, used before, took 0.3 s for an unknown object of 25,000
 * keys and threw on an own `constructor` key inside one).
 */
function toInstance(dto: new () => object, source: Record<string, unknown>): object {
  const instance = filled(new dto(), source) as Record<string, unknown>;
  for (const key of Object.keys(instance)) {
    const nestedDto = nestedDtoOf(dto, key);
    if (!nestedDto) continue;
    const value = instance[key];
    if (Array.isArray(value))
      instance[key] = value.map((element: unknown) =>
        isJsonObject(element) ? toInstance(nestedDto, element) : element,
      );
    else if (isJsonObject(value)) instance[key] = toInstance(nestedDto, value);
  }
  return instance;
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
  let type = 'CloudEvent';
  let id = '';
  try {
    const event = isJsonObject(input) ? input : {};
    if (typeof event.type === 'string' && event.type !== '') type = event.type;
    if (typeof event.id === 'string' && event.id !== '') id = ` '${event.id}'`;
  } catch {
    // An input whose attributes cannot even be read is named as a CloudEvent.
  }
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
