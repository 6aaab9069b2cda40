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
 * The CloudEvents sources a monitor credential without `sources` may write under: its organisation's
 * namespace, `/aidwatch/monitors/<organisation, URI-encoded>` and below. Monitors of different
 * organisations thus never share a source, so one cannot store an event under another's `source` + `id`
 * (which would make the genuine event a 409, and 409 versus 202 an oracle of which ids exist).
 */
export function monitorSourceNamespace(tenant: string): string[] {
  const base = `/aidwatch/monitors/${encodeURIComponent(tenant)}`;
  return [base, `${base}/*`];
}

/**
 * Why `principal` may not write `event` (a sentence for the 403 body), or undefined when it may.
 * - producer: the event's `source` must be one of its sources, and a producer of one organisation
 *   (a credential with a tenant) writes only about that organisation's exemptions and consignments
 *   (vessel, port and designation events belong to no organisation);
 * - monitor: only verification events, as its own `monitorId`, for a consignment of its tenant, under
 *   one of its sources (or its organisation's namespace, `monitorSourceNamespace`, when it names none);
 *   `sourceChosenByAidwatch`: the source was set by AidWatch's own mapping (field-tool submissions), not
 *   by the caller, and is not judged;
 * - every other role writes no events.
 * `tenants` resolves the implementing organisation of a consignment or exemption (undefined when unknown).
 */
export async function writeRefusal(
  principal: Principal,
  event: AidEvent,
  tenants: TenantLookup,
  {
    sourceChosenByAidwatch = false,
    committeeSources,
  }: { sourceChosenByAidwatch?: boolean; committeeSources?: readonly string[] } = {},
): Promise<string | undefined> {
  const tenantOf = (consignmentId: string) => tenants.tenantOfConsignment(consignmentId);
  if (principal.role === 'producer') {
    if (!sourceAllowed(principal.sources, event.source))
      return `source ${JSON.stringify(event.source)} is not one this credential may write under`;
    if (principal.tenant !== undefined) return producerTenantRefusal(principal.tenant, event, tenants);
    return committeeRefusal(event, tenants, committeeSources);
  }
  if (principal.role !== 'monitor') return `role ${principal.role} does not submit events`;
  if (!MonitorEventTypes.includes(event.type)) return `a monitor does not submit ${event.type} events`;
  const sources = principal.sources ?? (principal.tenant ? monitorSourceNamespace(principal.tenant) : []);
  if (!sourceChosenByAidwatch && !sourceAllowed(sources, event.source))
    return `source ${JSON.stringify(event.source)} is not one this credential may write under (${sources.join(', ')})`;
  const data = event.data as { consignmentId: string; monitorId: string };
  if (principal.monitorId === undefined || data.monitorId !== principal.monitorId)
    return `monitorId ${JSON.stringify(data.monitorId)} is not this credential's monitor`;
  const tenant = await tenantOf(data.consignmentId);
  if (tenant === undefined || tenant !== principal.tenant)
    return `consignment ${JSON.stringify(data.consignmentId)} is not one of this credential's organisation`;
  return undefined;
}

/**
 * Why a producer of no organisation (a relay) may not amend an exemption, or undefined: when the
 * deployment names the committee's sources (`COMMITTEE_SOURCES`), only an event under one of them may
 * grant again or revoke an exemption that already has an owner; a new exemption's first grant is not
 * judged here. Without `committeeSources` every relay speaks for the committee, as before.
 */
async function committeeRefusal(
  event: AidEvent,
  tenants: TenantLookup,
  committeeSources: readonly string[] | undefined,
): Promise<string | undefined> {
  if (committeeSources === undefined || committeeSources.length === 0) return undefined;
  if (event.type !== EventTypes.ExemptionGranted && event.type !== EventTypes.ExemptionRevoked)
    return undefined;
  if (sourceAllowed(committeeSources, event.source)) return undefined;
  const owner = await tenants.tenantOfExemption(event.data.exemptionId);
  return owner === undefined
    ? undefined
    : `exemption ${JSON.stringify(event.data.exemptionId)} is amended only by its organisation or under the committee's sources`;
}

/** Resolves the implementing organisation (tenant) of a consignment or an exemption; undefined when unknown. */
export interface TenantLookup {
  tenantOfConsignment(consignmentId: string): Promise<string | undefined>;
  tenantOfExemption(exemptionId: string): Promise<string | undefined>;
}

/**
 * Why a producer of organisation `tenant` may not write `event`, or undefined. Judged by what the event is
 * about: an exemption grant by its `implementingOrg`, a revocation by the exemption's organisation, a
 * registration by its exemption's organisation, any other consignment event (loads, deliveries, visits)
 * by the consignment's. Unknown exemptions and consignments are refused: what is not yet known cannot
 * be shown to belong to the producer's organisation.
 */
async function producerTenantRefusal(
  tenant: string,
  event: AidEvent,
  tenants: TenantLookup,
): Promise<string | undefined> {
  const data = (event.data ?? {}) as {
    consignmentId?: string;
    exemptionId?: string;
    implementingOrg?: string;
  };
  const refuse = (what: string) => `${what} is not one of this credential's organisation (${tenant})`;
  if (event.type === EventTypes.ExemptionGranted)
    return data.implementingOrg === tenant
      ? undefined
      : refuse(`implementingOrg ${JSON.stringify(data.implementingOrg)}`);
  if (
    event.type === EventTypes.ConsignmentRegistered ||
    (data.exemptionId !== undefined && data.consignmentId === undefined)
  ) {
    const owner =
      data.exemptionId === undefined ? undefined : await tenants.tenantOfExemption(data.exemptionId);
    return owner === tenant ? undefined : refuse(`exemption ${JSON.stringify(data.exemptionId)}`);
  }
  if (data.consignmentId !== undefined) {
    const owner = await tenants.tenantOfConsignment(data.consignmentId);
    return owner === tenant ? undefined : refuse(`consignment ${JSON.stringify(data.consignmentId)}`);
  }
  return undefined;
}

/**
 * The write check of one request's events, judged in their order: a tenant the store does not know yet is
 * taken from the events of the same request already allowed — an exemption granted earlier in the batch
 * (`implementingOrg`), a consignment registered earlier in it (its exemption's organisation) — so a batch may
 * carry a registration with its follow-up events. What the store knows always wins: a batch cannot give an
 * existing exemption or consignment another organisation. Returns a function for `EventIntake` (call it once
 * per event, in batch order); each call answers as `writeRefusal`.
 */
export function batchWriteAuthorizer(
  principal: Principal,
  tenants: TenantLookup,
  options: { committeeSources?: readonly string[] } = {},
): (event: AidEvent) => Promise<string | undefined> {
  const exemptions = new Map<string, string>();
  const consignments = new Map<string, string>();
  const lookup: TenantLookup = {
    async tenantOfExemption(exemptionId) {
      return (await tenants.tenantOfExemption(exemptionId)) ?? exemptions.get(exemptionId);
    },
    async tenantOfConsignment(consignmentId) {
      const known = await tenants.tenantOfConsignment(consignmentId);
      if (known !== undefined) return known;
      const exemptionId = consignments.get(consignmentId);
      return exemptionId === undefined ? undefined : lookup.tenantOfExemption(exemptionId);
    },
  };
  return async (event) => {
    const refusal = await writeRefusal(principal, event, lookup, options);
    if (refusal !== undefined) return refusal;
    const data = (event.data ?? {}) as {
      exemptionId?: string;
      consignmentId?: string;
      implementingOrg?: string;
    };
    if (event.type === EventTypes.ExemptionGranted && data.exemptionId && data.implementingOrg)
      if (!exemptions.has(data.exemptionId)) exemptions.set(data.exemptionId, data.implementingOrg);
    if (event.type === EventTypes.ConsignmentRegistered && data.consignmentId && data.exemptionId)
      if (!consignments.has(data.consignmentId)) consignments.set(data.consignmentId, data.exemptionId);
    return undefined;
  };
}
