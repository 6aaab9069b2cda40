import type { AlertFilter, AlertStatus, BoundingBox } from '@aidwatch/alerts';
import type { AlertFilterQuery } from './alert.dto';

/** The validated query (or subscription filters) as the library's AlertFilter. */
export function alertFilterOf(q: AlertFilterQuery & { types?: string[] }): AlertFilter {
  const merge = (...lists: Array<string[] | undefined>) => {
    const all = lists.flatMap((l) => l ?? []);
    return all.length > 0 ? all : undefined;
  };
  return {
    organisation: merge(q.organisation),
    exemptionId: merge(q.exemptionId, q.project),
    rule: merge(q.rule),
    severity: merge(q.severity),
    status: merge(q.status) as AlertStatus[] | undefined,
    consignmentId: merge(q.consignmentId),
    vessel: merge(q.vessel, q.mmsi),
    bbox: q.bbox ? (q.bbox.split(',').map(Number) as BoundingBox) : undefined,
    types: merge(q.types),
  };
}
