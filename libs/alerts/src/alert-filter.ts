import { EventUpcasters } from '@aidwatch/domain';
import type { AlertLabels } from './alert-labels';
import type { AlertStatus } from './alert-events';

export interface GeoPoint {
  lat: number;
  lon: number;
}

/** West, south, east, north in WGS84 degrees (the GeoJSON `bbox` order); west > east crosses the antimeridian. */
export type BoundingBox = [number, number, number, number];

/**
 * What a dashboard asks for, on `GET /alerts/stream` and in a webhook subscription. Each present field
 * must match (AND); within a field any listed value matches (OR). Applied to every event type alike:
 * a `cleared` or lifecycle event is judged by its alert's labels, status after the event and location.
 */
export interface AlertFilter {
  organisation?: string[];
  exemptionId?: string[];
  rule?: string[];
  severity?: string[];
  status?: AlertStatus[];
  consignmentId?: string[];
  vessel?: string[];
  bbox?: BoundingBox;
  /** CloudEvents types to deliver (all when absent); an older version of a type selects its current one. */
  types?: string[];
}

/** The attributes of one delivered event that filters look at. */
export interface AlertEventFacts {
  type: string;
  labels: AlertLabels;
  status?: AlertStatus;
  location?: GeoPoint;
}

const any = (wanted: string[] | undefined, have: readonly string[]): boolean =>
  !wanted || wanted.length === 0 || wanted.some((w) => have.includes(w));

export function inBoundingBox(p: GeoPoint, [west, south, east, north]: BoundingBox): boolean {
  if (p.lat < south || p.lat > north) return false;
  return west <= east ? p.lon >= west && p.lon <= east : p.lon >= west || p.lon <= east;
}

/**
 * Whether an event passes a filter. An event with no known location never passes a `bbox` filter. A
 * `types` entry naming a superseded version (`aidwatch.flag.raised.v1`) selects the version that replaced
 * it, so a subscription made before a new version keeps receiving what it asked for.
 */
export function filterMatches(filter: AlertFilter, facts: AlertEventFacts): boolean {
  return (
    any(filter.types, [facts.type, ...EventUpcasters.olderVersionsOf(facts.type)]) &&
    any(filter.organisation, facts.labels.organisation) &&
    any(filter.exemptionId, facts.labels.exemptionId) &&
    any(filter.rule, facts.labels.rule) &&
    any(filter.severity, facts.labels.severity) &&
    any(filter.consignmentId, facts.labels.consignmentId) &&
    any(filter.vessel, facts.labels.vessel) &&
    any(filter.status, facts.status ? [facts.status] : []) &&
    (!filter.bbox || (facts.location !== undefined && inBoundingBox(facts.location, filter.bbox)))
  );
}

/** Problems with a filter, as `{field, message}` (empty when valid). */
export function filterErrors(filter: AlertFilter): Array<{ field: string; message: string }> {
  const errors: Array<{ field: string; message: string }> = [];
  if (filter.bbox) {
    const [w, s, e, n] = filter.bbox;
    const ok =
      filter.bbox.length === 4 &&
      filter.bbox.every((v) => typeof v === 'number' && Number.isFinite(v)) &&
      w >= -180 &&
      w <= 180 &&
      e >= -180 &&
      e <= 180 &&
      s >= -90 &&
      n <= 90 &&
      s <= n;
    if (!ok)
      errors.push({ field: 'bbox', message: 'bbox is west,south,east,north in degrees (south <= north)' });
  }
  return errors;
}
