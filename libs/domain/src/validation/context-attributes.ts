import type { FieldError } from '../cloud-event';

/**
 * CloudEvents 1.0 §3.1.1 (attribute naming): lower-case ASCII letters and digits; the specification asks
 * producers to keep names within 20 characters, and AidWatch holds them to it.
 */
export const ATTRIBUTE_NAME = /^[a-z0-9]{1,20}$/;

/**
 * A media type per RFC 2045 §5.1 / RFC 6838 §4.2: `type/subtype` of restricted names, then optional
 * `; name=value` parameters (value a token or a quoted string). `datacontenttype` must be one.
 */
export const MEDIA_TYPE =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\s*;\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+=("[^"\\]*"|[A-Za-z0-9!#$%&'*+.^_`|~-]+))*\s*$/;

/** Attributes every AidWatch event carries; `null` there is an error, not "absent". */
export const REQUIRED_ATTRIBUTES = ['specversion', 'id', 'source', 'type', 'time'] as const;

/** The attributes CloudEvents 1.0 defines; any other attribute is an extension. */
export const CORE_ATTRIBUTES = [...REQUIRED_ATTRIBUTES, 'subject', 'datacontenttype', 'dataschema'] as const;

/** Members of the JSON event format that are not context attributes. */
const DATA_MEMBERS = new Set(['data', 'data_base64']);
const CORE = new Set<string>(CORE_ATTRIBUTES);
const REQUIRED = new Set<string>(REQUIRED_ATTRIBUTES);

// Extension values in the JSON format are Boolean, Integer (signed 32-bit) or String (CloudEvents 1.0 §3.1.1).
const MIN_INTEGER = -(2 ** 31);
const MAX_INTEGER = 2 ** 31 - 1;

export interface ContextAttributes {
  /** The event with `null` optional attributes removed and `data_base64` (JSON) decoded into `data`. */
  event: Record<string, unknown>;
  errors: FieldError[];
}

/**
 * Reads the context attributes of one event in the CloudEvents JSON format: names must be valid,
 * optional attributes sent as `null` count as absent, extension values must be strings, booleans or
 * integers, `data` and `data_base64` exclude each other, and `data_base64` with a JSON (or no) content
 * type becomes `data`. The input is not modified; a copy is returned only when something changed.
 */
export function readContextAttributes(input: Record<string, unknown>): ContextAttributes {
  const errors: FieldError[] = [];
  let event = input;
  const drop = (key: string): void => {
    if (event === input) event = { ...input };
    delete event[key];
  };
  for (const key of Object.keys(input)) {
    const value = input[key];
    if (DATA_MEMBERS.has(key)) {
      if (value === null) drop(key);
      continue;
    }
    if (!ATTRIBUTE_NAME.test(key)) {
      errors.push({
        field: key,
        message: `attribute name '${key}' is not valid: CloudEvents attribute names are 1 to 20 lower-case letters a-z or digits`,
      });
      continue;
    }
    if (value === null && !REQUIRED.has(key)) drop(key);
    else if (!CORE.has(key) && !isExtensionValue(value)) {
      errors.push({
        field: key,
        message: `extension attribute ${key} must be a string, a boolean or a 32-bit integer`,
      });
    }
  }
  if (event.data !== undefined && event.data_base64 !== undefined) {
    errors.push({ field: 'data_base64', message: 'data and data_base64 must not both be present' });
  } else if (event.data_base64 !== undefined) {
    const decoded = decodeBase64Data(event.data_base64, event.datacontenttype);
    if ('error' in decoded) errors.push({ field: 'data_base64', message: decoded.error });
    else {
      if (event === input) event = { ...input };
      delete event.data_base64;
      event.data = decoded.data;
    }
  }
  return { event, errors };
}

function isExtensionValue(value: unknown): boolean {
  if (typeof value === 'string' || typeof value === 'boolean') return true;
  return Number.isInteger(value) && (value as number) >= MIN_INTEGER && (value as number) <= MAX_INTEGER;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeBase64Data(value: unknown, contentType: unknown): { data: unknown } | { error: string } {
  if (typeof value !== 'string' || !BASE64.test(value)) {
    return { error: 'data_base64 must be a base64 string (RFC 4648)' };
  }
  if (typeof contentType === 'string' && !isJsonMediaType(contentType)) {
    return { error: `data must be JSON; datacontenttype '${contentType}' is not a JSON media type` };
  }
  try {
    return { data: JSON.parse(Buffer.from(value, 'base64').toString('utf8')) };
  } catch {
    return { error: 'data_base64 does not hold JSON' };
  }
}

/** The media type of a Content-Type value, lower-cased, without parameters. */
export function mediaTypeOf(contentType: string): string {
  return contentType.split(';', 1)[0].trim().toLowerCase();
}

/** `application/json`, `text/json` or any `+json` structured syntax suffix (RFC 6839). */
export function isJsonMediaType(contentType: string): boolean {
  const mediaType = mediaTypeOf(contentType);
  return mediaType === 'application/json' || mediaType === 'text/json' || mediaType.endsWith('+json');
}
