import { EventTypes, type AidEvent } from '@aidwatch/domain';
import type { Principal } from './principal';

/** Event types a `monitor` submits: the outcome of a site visit, for a consignment of its organisation. */
export const MonitorEventTypes: readonly string[] = [
  EventTypes.VerificationReported,
  EventTypes.AccessDenied,
];

/**
 * Whether a producer bound to `patterns` may use `source`. A pattern is an exact CloudEvents `source`, or
 * a prefix ending in `*` (`https://wfp.example/ais/*`); a lone `*` allows any source and is meant for
 * trusted relays only.
 */
export function sourceAllowed(patterns: readonly string[] | undefined, source: string): boolean {
  return (patterns ?? []).some((p) => (p.endsWith('*') ? source.startsWith(p.slice(0, -1)) : p === source));
}

/**
 * Why `principal` may not write `event` (a sentence for the 403 body), or undefined when it may.
 * - producer: the event's `source` must be one of its sources;
 * - monitor: only verification events, as its own `monitorId`, for a consignment of its tenant (and,
 *   when the credential names sources, under one of them);
 * - every other role writes no events.
 * `tenantOf` resolves a consignment's implementing organisation (undefined when unknown).
 */
export async function writeRefusal(
  principal: Principal,
  event: AidEvent,
  tenantOf: (consignmentId: string) => Promise<string | undefined>,
): Promise<string | undefined> {
  if (principal.role === 'producer') {
    return sourceAllowed(principal.sources, event.source)
      ? undefined
      : `source ${JSON.stringify(event.source)} is not one this credential may write under`;
  }
  if (principal.role !== 'monitor') return `role ${principal.role} does not submit events`;
  if (!MonitorEventTypes.includes(event.type)) return `a monitor does not submit ${event.type} events`;
  if (principal.sources && !sourceAllowed(principal.sources, event.source))
    return `source ${JSON.stringify(event.source)} is not one this credential may write under`;
  const data = event.data as { consignmentId: string; monitorId: string };
  if (principal.monitorId && data.monitorId !== principal.monitorId)
    return `monitorId ${JSON.stringify(data.monitorId)} is not this credential's monitor`;
  const tenant = await tenantOf(data.consignmentId);
  if (tenant === undefined || tenant !== principal.tenant)
    return `consignment ${JSON.stringify(data.consignmentId)} is not one of this credential's organisation`;
  return undefined;
}
