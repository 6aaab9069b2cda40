import type { FieldError } from '../cloud-event';
import type { AidEvent } from '../events';
import { mediaTypeOf } from './kafka-message.decoder';
import { isJsonObject, validateCloudEvent } from './validate-cloud-event';

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

/**
 * The body of `POST /events`. A batch is all or nothing: one bad event and none is accepted, and every
 * bad event is named by its index and id. `body` may be already parsed, or a string / Buffer of JSON.
 */
export function decodeHttpBody(contentType: string | undefined, body: unknown): HttpBodyDecoding {
  const mediaType = contentType === undefined ? undefined : mediaTypeOf(contentType);
  if (mediaType !== SINGLE && mediaType !== BATCH && mediaType !== PLAIN_JSON) {
    return bodyError(
      `unsupported content-type '${contentType ?? ''}'; use ${SINGLE}, ${BATCH} or ${PLAIN_JSON}`,
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
  if (candidates.length === 0) return bodyError('empty batch: at least one event is required', 'body');

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
