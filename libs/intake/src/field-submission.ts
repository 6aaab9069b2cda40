import {
  EventTypes,
  isEventTime,
  validateCloudEvent,
  type AidEvent,
  type FieldError,
  type ItemQuantity,
} from '@aidwatch/domain';
import type { FieldFormMapping } from './field-submission-mapping';

/** The field tools whose submission JSON AidWatch reads. */
export type FieldTool = 'kobo' | 'odk';

export type FieldSubmissionMapping = { ok: true; event: AidEvent } | { ok: false; errors: FieldError[] };

type Json = Record<string, unknown>;

/**
 * One submission of the end-use verification form as a contract event: a visit becomes
 * `aidwatch.verification.reported.v1`, a denied visit `aidwatch.verification.access-denied.v1`.
 * - KoboToolbox (REST Services JSON): flat keys `visit/site_id`, repeats as arrays of objects keyed
 *   `visit/observed/item_code`, `_geolocation` [lat, lon], `_submission_time` without a zone. The event id
 *   is `formhub/uuid` + `_id` (stable across edits, unlike `_uuid` / `meta/instanceID`).
 * - ODK Central (OData submission JSON): groups as nested objects, repeats expanded as arrays, geopoints
 *   as GeoJSON, `__system.submissionDate`. The event id is `__id` (stable across edits).
 * The event `source` is the tool's, `kobotoolbox:<formhub/uuid>` or `odk-central`; with `sourceNamespace`
 * (the submitting monitor's organisation namespace, `monitorSourceNamespace`) it is placed under it:
 * `<namespace>/kobotoolbox/<formhub/uuid, URI-encoded>` or `<namespace>/odk-central`, so submissions of
 * different organisations never share a `source` + `id` (their ids may coincide; the stored events do not).
 * Geopoints may also be ODK strings `"lat lon alt accuracy"`; quantities and counts may be strings; times
 * without a zone take the form's configured offset, hour-only offsets (`+03`) are read as `+03:00`, and all
 * become RFC 3339 UTC. Every problem is reported with the form field it concerns; none is fatal alone.
 */
export function mapFieldSubmission(
  tool: FieldTool,
  submission: unknown,
  mapping: FieldFormMapping,
  sourceNamespace?: string,
): FieldSubmissionMapping {
  if (!isObject(submission)) return fail([{ field: 'body', message: 'a submission is a JSON object' }]);
  const errors: FieldError[] = [];
  const f = mapping.fields;
  const text = (path: string): string | undefined => {
    const value = lookUp(submission, path);
    if (typeof value === 'number') return String(value);
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const required = (path: string): string => {
    const value = text(path);
    if (value === undefined) errors.push({ field: path, message: `${path} is required` });
    return value ?? '';
  };

  const identity = identityOf(tool, submission, errors, sourceNamespace);
  const consignmentId = required(f.consignmentId);
  const siteId = required(f.siteId);
  const monitorId = required(f.monitorId);
  const at = visitTime(tool, submission, mapping, errors);
  const outcome = text(f.outcome);
  const { visited, accessDenied } = mapping.outcomes;
  if (outcome !== visited && outcome !== accessDenied) {
    errors.push({
      field: f.outcome,
      message: `${f.outcome} must be '${visited}' or '${accessDenied}'${outcome === undefined ? '' : `, not '${outcome}'`}`,
    });
    return fail(errors);
  }

  let event: Json;
  const envelope = {
    specversion: '1.0',
    id: identity.id,
    source: identity.source,
    subject: consignmentId,
    time: at,
    datacontenttype: 'application/json',
  };
  if (outcome === accessDenied) {
    const reason = required(f.denialReason);
    event = {
      ...envelope,
      type: EventTypes.AccessDenied,
      data: { consignmentId, siteId, monitorId, reason, at },
    };
  } else {
    const position = locationOf(tool, submission, f.location, errors);
    const findingCode = text(f.finding);
    const finding = findingCode === undefined ? undefined : mapping.findings[findingCode];
    if (!finding) {
      errors.push({
        field: f.finding,
        message: `${f.finding} must be one of ${Object.keys(mapping.findings).join(', ')}${findingCode === undefined ? '' : `, not '${findingCode}'`}`,
      });
    }
    const beneficiaries = countOf(lookUp(submission, f.beneficiaries), f.beneficiaries, errors);
    event = {
      ...envelope,
      type: EventTypes.VerificationReported,
      data: {
        verificationId: identity.id,
        consignmentId,
        siteId,
        monitorId,
        lat: position?.lat,
        lon: position?.lon,
        observed: observedItems(submission, mapping, errors),
        ...(beneficiaries !== undefined && { beneficiaries }),
        finding,
        at,
      },
    };
  }
  if (errors.length > 0) return fail(errors);
  const checked = validateCloudEvent(event);
  if (checked.ok) return checked;
  return fail(checked.errors.map((e) => ({ ...e, field: formFieldOf(e.field, mapping) })));
}

function identityOf(
  tool: FieldTool,
  submission: Json,
  errors: FieldError[],
  namespace: string | undefined,
): { id: string; source: string } {
  if (tool === 'odk') {
    const id = lookUp(submission, '__id');
    if (typeof id !== 'string' || id.trim() === '') {
      errors.push({ field: '__id', message: '__id (the ODK Central submission id) is required' });
      return { id: '', source: 'odk' };
    }
    return { id: `odk-${id}`, source: namespace === undefined ? 'odk-central' : `${namespace}/odk-central` };
  }
  const id = lookUp(submission, '_id');
  const form = lookUp(submission, 'formhub/uuid');
  const ok =
    (typeof id === 'number' || (typeof id === 'string' && id !== '')) &&
    typeof form === 'string' &&
    form !== '';
  if (!ok) {
    errors.push({
      field: typeof form === 'string' && form !== '' ? '_id' : 'formhub/uuid',
      message: 'KoboToolbox _id and formhub/uuid are required: together they identify the submission',
    });
    return { id: '', source: 'kobotoolbox' };
  }
  return {
    id: `kobo-${form}-${String(id)}`,
    source:
      namespace === undefined
        ? `kobotoolbox:${form}`
        : `${namespace}/kobotoolbox/${encodeURIComponent(form)}`,
  };
}

function visitTime(
  tool: FieldTool,
  submission: Json,
  mapping: FieldFormMapping,
  errors: FieldError[],
): string {
  const candidates: Array<[string, unknown]> = [
    [mapping.fields.visitedAt, lookUp(submission, mapping.fields.visitedAt)],
    ['end', lookUp(submission, 'end')],
    tool === 'kobo'
      ? ['_submission_time', lookUp(submission, '_submission_time')]
      : ['__system/submissionDate', lookUp(submission, '__system/submissionDate')],
  ];
  for (const [field, value] of candidates) {
    if (value === undefined || value === null || value === '') continue;
    const time = toUtc(value, mapping.utcOffset);
    if (time) return time;
    errors.push({ field, message: `${field} is not a date-time: ${JSON.stringify(value)}` });
    return '';
  }
  errors.push({ field: mapping.fields.visitedAt, message: `${mapping.fields.visitedAt} is required` });
  return '';
}

const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * A form time as RFC 3339 UTC (`2024-03-25T05:00:00.000Z`): a missing zone is `utcOffset`, an hour-only
 * offset `+03` is `+03:00`, `+0300` is `+03:00`. Undefined when it is no real date-time.
 */
export function toUtc(value: unknown, utcOffset: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = DATE_TIME.exec(value.trim());
  if (!match) return undefined;
  const [, date, clock, zone] = match;
  const seconds = clock.length === 5 ? `${clock}:00` : clock;
  let offset = zone === undefined ? utcOffset : zone.toUpperCase();
  if (/^[+-]\d{2}$/.test(offset)) offset = `${offset}:00`;
  else if (/^[+-]\d{4}$/.test(offset)) offset = `${offset.slice(0, 3)}:${offset.slice(3)}`;
  const rfc3339 = `${date}T${seconds}${offset}`;
  return isEventTime(rfc3339) ? new Date(Date.parse(rfc3339)).toISOString() : undefined;
}

function locationOf(
  tool: FieldTool,
  submission: Json,
  path: string,
  errors: FieldError[],
): { lat: number; lon: number } | undefined {
  const point = geopoint(lookUp(submission, path));
  if (point) return point;
  // KoboToolbox repeats the form's first geopoint as `_geolocation` [lat, lon].
  const fallback = tool === 'kobo' ? geopoint(lookUp(submission, '_geolocation')) : undefined;
  if (fallback) return fallback;
  errors.push({ field: path, message: `${path} must be a geopoint (latitude and longitude)` });
  return undefined;
}

function geopoint(value: unknown): { lat: number; lon: number } | undefined {
  let lat: unknown;
  let lon: unknown;
  if (typeof value === 'string') [lat, lon] = value.trim().split(/\s+/).map(Number);
  else if (Array.isArray(value)) [lat, lon] = value;
  else if (isObject(value) && Array.isArray(value.coordinates)) [lon, lat] = value.coordinates; // GeoJSON
  if (typeof lat !== 'number' || typeof lon !== 'number') return undefined;
  if (!(Math.abs(lat) <= 90 && Math.abs(lon) <= 180)) return undefined;
  return { lat, lon };
}

function observedItems(submission: Json, mapping: FieldFormMapping, errors: FieldError[]): ItemQuantity[] {
  const path = mapping.fields.observed;
  const rows = lookUp(submission, path);
  if (rows === undefined || rows === null) return [];
  if (!Array.isArray(rows)) {
    errors.push({ field: path, message: `${path} must be a repeat (an array of entries)` });
    return [];
  }
  return rows.map((row: unknown, index) => {
    const at = `${path}[${index}]`;
    if (!isObject(row)) {
      errors.push({ field: at, message: `${at} must be an object` });
      return { itemCode: '', quantity: 0 };
    }
    const inRow = (name: string): unknown => row[`${path}/${name}`] ?? row[name];
    const code = inRow(mapping.fields.itemCode);
    const itemCode = typeof code === 'string' || typeof code === 'number' ? String(code).trim() : '';
    if (itemCode === '')
      errors.push({ field: `${at}/${mapping.fields.itemCode}`, message: 'item code is required' });
    const quantity = numberOf(inRow(mapping.fields.quantity));
    if (quantity === undefined || quantity < 0) {
      errors.push({
        field: `${at}/${mapping.fields.quantity}`,
        message: `quantity must be a number of at least 0, not ${JSON.stringify(inRow(mapping.fields.quantity))}`,
      });
    }
    return { itemCode, quantity: quantity ?? 0 };
  });
}

function countOf(value: unknown, field: string, errors: FieldError[]): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = numberOf(value);
  if (n === undefined || !Number.isInteger(n) || n < 0) {
    errors.push({
      field,
      message: `${field} must be a whole number of at least 0, not ${JSON.stringify(value)}`,
    });
    return undefined;
  }
  return n;
}

// Field tools send numbers as strings ("1180", "12.5"); an empty or non-numeric string is no number.
function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || !/^\s*-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(value))
    return undefined;
  return Number(value);
}

/**
 * A field by XLSForm path: the flat key KoboToolbox uses (`visit/site_id`), the nested objects of ODK
 * Central (`visit.site_id`), or the bare name when the tool leaves groups out of the keys.
 */
export function lookUp(submission: Json, path: string): unknown {
  if (path in submission) return submission[path];
  const parts = path.split('/');
  let value: unknown = submission;
  for (const part of parts) value = isObject(value) ? value[part] : undefined;
  if (value !== undefined) return value;
  const bare = parts[parts.length - 1];
  return parts.length > 1 && bare in submission ? submission[bare] : undefined;
}

// A contract field named by the validator (`data.observed.0.quantity`) as the form field it came from.
function formFieldOf(field: string, mapping: FieldFormMapping): string {
  const f = mapping.fields;
  const direct: Record<string, string> = {
    'data.consignmentId': f.consignmentId,
    'data.siteId': f.siteId,
    'data.monitorId': f.monitorId,
    'data.reason': f.denialReason,
    'data.lat': f.location,
    'data.lon': f.location,
    'data.finding': f.finding,
    'data.beneficiaries': f.beneficiaries,
    'data.at': f.visitedAt,
    time: f.visitedAt,
    subject: f.consignmentId,
  };
  if (direct[field]) return direct[field];
  const item = /^data\.observed\.(\d+)\.(itemCode|quantity)$/.exec(field);
  if (item) return `${f.observed}[${item[1]}]/${item[2] === 'itemCode' ? f.itemCode : f.quantity}`;
  return field;
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const fail = (errors: FieldError[]): FieldSubmissionMapping => ({ ok: false, errors });
