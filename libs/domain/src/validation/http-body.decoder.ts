import type { FieldError } from '../cloud-event';
import type { AidEvent } from '../events';
import { isJsonMediaType, mediaTypeOf } from './context-attributes';
import { isJsonObject, summarise, validateCloudEvent } from './validate-cloud-event';

export interface HttpEventError {
  /** Position of the event in the body; `BODY_INDEX` when the body as a whole is unusable. */
  index: number;
  id?: string;
  reason: string;
  errors: FieldError[];
}

export type HttpBodyDecoding = { ok: true; events: AidEvent[] } | { ok: false; errors: HttpEventError[] };

export const BODY_INDEX = -1;

const SINGLE = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';
const PLAIN_JSON = 'application/json';
const CE_HEADER = 'ce-';

/** Request headers as Node gives them: names lower-case, repeated headers as arrays. */
export type HttpHeaders = Record<string, string | string[] | undefined>;

/**
 * The body of `POST /events` per the CloudEvents HTTP protocol binding:
 * - `application/cloudevents+json`: one event (structured mode); `application/cloudevents-batch+json`: an
 *   array of events, `[]` being an empty batch;
 * - any other content type with a `ce-specversion` header: binary mode, the attributes in `ce-` headers
 *   (names case-insensitive, values percent-decoded per RFC 3986) and the body as `data`, which must be JSON;
 * - `application/json` without `ce-` headers: one event or an array, read as structured (kept for
 *   producers that cannot set the CloudEvents media types).
 * A batch is all or nothing: one bad event and none is accepted, and every bad event is named by its index
 * and id. `body` may be already parsed, or a string / Buffer of JSON.
 */
export function decodeHttpBody(
  contentType: string | undefined,
  body: unknown,
  headers: HttpHeaders = {},
): HttpBodyDecoding {
  const mediaType = contentType === undefined ? undefined : mediaTypeOf(contentType);
  const structured = mediaType === SINGLE || mediaType === BATCH;
  if (!structured && headerValue(headers, `${CE_HEADER}specversion`) !== undefined) {
    return decodeBinary(contentType, body, headers);
  }
  if (!structured && mediaType !== PLAIN_JSON) {
    return bodyError(
      `unsupported content-type '${contentType ?? ''}'; use ${SINGLE}, ${BATCH}, binary mode (ce- headers) or ${PLAIN_JSON}`,
      'content-type',
    );
  }
  const parsed = parseIfRaw(body);
  if (!parsed.ok) return bodyError(`malformed JSON body: ${parsed.detail}`, 'body');
  const json = parsed.json;

  if (mediaType === SINGLE && !isJsonObject(json)) {
    return bodyError(`${SINGLE} carries one event as a JSON object; send arrays as ${BATCH}`, 'body');
  }
  if (mediaType === BATCH && !Array.isArray(json)) {
    return bodyError(`${BATCH} carries a JSON array of events`, 'body');
  }
  const candidates = Array.isArray(json) ? json : [json];

  const events: AidEvent[] = [];
  const errors: HttpEventError[] = [];
  candidates.forEach((candidate, index) => {
    const result = validateCloudEvent(candidate);
    if (result.ok) {
      events.push(result.event);
      return;
    }
    const id = isJsonObject(candidate) && typeof candidate.id === 'string' ? candidate.id : undefined;
    errors.push({ index, ...(id !== undefined && { id }), reason: result.reason, errors: result.errors });
  });
  return errors.length === 0 ? { ok: true, events } : { ok: false, errors };
}

/**
 * The events a `POST /events` body holds as `decodeHttpBody` reads it, before any is validated, so that limits
 * count what would be stored: in binary mode (decided as `decodeHttpBody` decides it) one event whose `data`
 * is the body; otherwise each element of a JSON array, or the one JSON value. Undefined when the body is not
 * JSON (it is refused whole).
 */
export function httpBodyEvents(
  contentType: string | undefined,
  body: unknown,
  headers: HttpHeaders = {},
): { binary: boolean; events: unknown[] } | undefined {
  const mediaType = contentType === undefined ? undefined : mediaTypeOf(contentType);
  const structured = mediaType === SINGLE || mediaType === BATCH;
  const parsed = parseIfRaw(body);
  if (!structured && headerValue(headers, `${CE_HEADER}specversion`) !== undefined)
    return { binary: true, events: [{ data: parsed.ok ? parsed.json : undefined }] };
  if (!parsed.ok) return undefined;
  return { binary: false, events: Array.isArray(parsed.json) ? parsed.json : [parsed.json] };
}

function decodeBinary(
  contentType: string | undefined,
  body: unknown,
  headers: HttpHeaders,
): HttpBodyDecoding {
  const event: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  for (const [name, raw] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!lower.startsWith(CE_HEADER) || lower.length === CE_HEADER.length || raw === undefined) continue;
    const attribute = lower.slice(CE_HEADER.length);
    const value = Array.isArray(raw) ? raw.join(',') : raw;
    try {
      event[attribute] = decodeURIComponent(value);
    } catch {
      errors.push({ field: attribute, message: `header ${name} is not valid percent-encoded UTF-8` });
    }
  }
  if (contentType !== undefined) event.datacontenttype = contentType;
  if (contentType !== undefined && !isJsonMediaType(contentType)) {
    errors.push({
      field: 'datacontenttype',
      message: `data must be JSON; content-type '${contentType}' is not a JSON media type`,
    });
  } else {
    const parsed = parseIfRaw(body);
    if (parsed.ok) event.data = parsed.json;
    else errors.push({ field: 'data', message: `data (the body) is not valid JSON: ${parsed.detail}` });
  }
  const result = validateCloudEvent(event);
  if (result.ok && errors.length === 0) return { ok: true, events: [result.event] };
  const all = [...errors, ...(result.ok ? [] : result.errors)];
  const id = typeof event.id === 'string' ? event.id : undefined;
  return {
    ok: false,
    errors: [{ index: 0, ...(id !== undefined && { id }), reason: summarise(event, all), errors: all }],
  };
}

function headerValue(headers: HttpHeaders, name: string): string | string[] | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

function parseIfRaw(body: unknown): { ok: true; json: unknown } | { ok: false; detail: string } {
  if (typeof body !== 'string' && !Buffer.isBuffer(body)) return { ok: true, json: body };
  try {
    return { ok: true, json: JSON.parse(body.toString('utf8')) };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

function bodyError(reason: string, field: string): HttpBodyDecoding {
  return { ok: false, errors: [{ index: BODY_INDEX, reason, errors: [{ field, message: reason }] }] };
}
