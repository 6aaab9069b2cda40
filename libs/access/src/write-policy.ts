import {
  EventTypes,
  typesWrittenBy,
  writersOf,
  type AidEvent,
  type EventWriter,
  type InboundEventType,
} from '@aidwatch/domain';
import type { Principal } from './principal';

/**
 * Event types a `monitor` submits: the outcome of a site visit, for a consignment of its organisation
 * (the catalogue rows whose `writers` name `monitor`).
 */
export const MonitorEventTypes: readonly InboundEventType[] = typesWrittenBy('monitor');

/**
 * Whether a producer bound to `patterns` may use `source`. A pattern is an exact CloudEvents `source`, or
 * a prefix ending in `*` (`https://wfp.example/ais/*`); a lone `*` allows any source and is meant for
 * trusted relays only.
 */
export function sourceAllowed(patterns: readonly string[] | undefined, source: string): boolean {
  if (hasDotSegment(source)) return false;
  return (patterns ?? []).some((p) => (p.endsWith('*') ? source.startsWith(p.slice(0, -1)) : p === source));
}

/** Rounds of percent-decoding `hasDotSegment` undoes (`%252e` is `%2e` encoded once more). */
const DECODE_ROUNDS = 3;

/**
 * Whether `source` has a `.` or `..` path segment (RFC 3986 §3.3 dot segments, separated by `/` or `\`),
 * also once percent-decoded (`%2e`, `%2E`, `%2f`, and each encoded again up to three times): such a source
 * would pass a prefix check (`/aidwatch/monitors/WFP/../UNICEF/x` starts with `/aidwatch/monitors/WFP/`)
 * while naming another namespace once normalised, so it is refused whatever the credential's patterns.
 */
export function hasDotSegment(source: string): boolean {
  let text = source;
  for (let round = 0; ; round++) {
    if (text.split(/[/\\]/).some((segment) => segment === '.' || segment === '..')) return true;
    if (round === DECODE_ROUNDS || !text.includes('%')) return false;
    const decoded = text.replace(/%([0-9a-f]{2})/gi, (_, hex: string) =>
      String.fromCharCode(parseInt(hex, 16)),
    );
    if (decoded === text) return false;
    text = decoded;
  }
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

/** Options of `writeRefusal`. */
export interface WriteJudgement {
  /**
   * The source was set by AidWatch's own mapping (field-tool submissions), not by the caller, and is not
   * judged.
   */
  sourceChosenByAidwatch?: boolean;
  /** The committee's CloudEvents sources (`COMMITTEE_SOURCES`); empty or absent: every relay's. */
  committeeSources?: readonly string[];
}

/**
 * The kinds of writer (catalogue `writers`) `principal` speaks as for an event under `source`:
 * - a producer of no organisation is the deployment's feed or relay: `feed`, `organisation` and `monitor`
 *   (it relays what organisations and monitors record), and `committee` unless the deployment names the
 *   committee's sources and `source` is none of them;
 * - a producer of an organisation: `organisation` (of that organisation only, judged afterwards);
 * - a monitor of an organisation: `monitor` (as its own `monitorId`, judged afterwards);
 * - any other credential: none.
 */
export function writerKindsOf(
  principal: Principal,
  source: string,
  committeeSources: readonly string[] = [],
): EventWriter[] {
  if (principal.role === 'producer' && principal.tenant === undefined) {
    const committee = committeeSources.length === 0 || sourceAllowed(committeeSources, source);
    return committee ? ['feed', 'committee', 'organisation', 'monitor'] : ['feed', 'organisation', 'monitor'];
  }
  if (principal.role === 'producer') return ['organisation'];
  if (principal.role === 'monitor' && principal.tenant !== undefined) return ['monitor'];
  return [];
}

/**
 * Whether `principal` is among the writers of `type` (catalogue `writers`) for an event under `source`:
 * step 2 of `writeRefusal`, without the source and ownership steps. For refusing a whole request up front
 * (e.g. an NMEA log from a credential that writes no AIS).
 */
export function writesType(
  principal: Principal,
  type: string,
  source: string,
  committeeSources: readonly string[] = [],
): boolean {
  const kinds = writerKindsOf(principal, source, committeeSources);
  return writersOf(type).some((w) => kinds.includes(w));
}

/**
 * The one sentence of a refusal for an exemption or consignment that is another organisation's, or that
 * nobody has written yet: the same words in both cases, so the answer never tells whether it exists.
 */
export function notYoursRefusal(kind: 'exemption' | 'consignment', id: string | undefined): string {
  return `${kind} ${JSON.stringify(id ?? '')} is not one this credential may write about`;
}

/**
 * Why `principal` may not write `event` (a sentence for the 403 body), or undefined when it may. Judged
 * in three steps, every one derived from the event catalogue's `writers`:
 * 1. the credential: only producers and monitors write; the event's `source` must be one of its
 *    `sources` (a monitor without `sources`: its organisation's namespace, `monitorSourceNamespace`;
 *    not judged when `sourceChosenByAidwatch`);
 * 2. the kind of writer: the row's `writers` must include one the credential speaks as
 *    (`writerKindsOf`): `feed` and `committee` events come only from producers of no organisation
 *    (`committee` under `committeeSources` when configured); an organisation's producer writes
 *    `organisation` events, a monitor `monitor` events, a producer of no organisation relays both;
 * 3. ownership, for a credential of one organisation: a monitor reports as its own `monitorId` on a
 *    consignment of its organisation; a producer registers a consignment whose id lies in no namespace
 *    another organisation claimed (`aidwatch.ownership.prefix-claimed.v1`, judged by the id alone, first)
 *    under an exemption of its organisation (and not one another organisation already holds) and writes
 *    any other consignment
 *    event about a consignment of its organisation. What is unknown is refused like what is another's,
 *    in the same words (`notYoursRefusal`).
 * `tenants` resolves the implementing organisation of a consignment or exemption (undefined when unknown).
 */
export async function writeRefusal(
  principal: Principal,
  event: AidEvent,
  tenants: TenantLookup,
  { sourceChosenByAidwatch = false, committeeSources = [] }: WriteJudgement = {},
): Promise<string | undefined> {
  if (principal.role !== 'producer' && principal.role !== 'monitor')
    return `role ${principal.role} does not submit events`;
  const sources =
    principal.sources ??
    (principal.role === 'monitor' && principal.tenant ? monitorSourceNamespace(principal.tenant) : []);
  if (!sourceChosenByAidwatch && hasDotSegment(event.source))
    return `source ${JSON.stringify(event.source)} has a "." or ".." path segment (also percent-encoded); sources are written without them`;
  if (!sourceChosenByAidwatch && !sourceAllowed(sources, event.source))
    return principal.role === 'monitor'
      ? `source ${JSON.stringify(event.source)} is not one this credential may write under (${sources.join(', ')})`
      : `source ${JSON.stringify(event.source)} is not one this credential may write under`;
  const writers = writersOf(event.type);
  const kinds = writerKindsOf(principal, event.source, committeeSources);
  const kind = writers.find((w) => kinds.includes(w));
  if (kind === undefined) return kindRefusal(principal, event, writers);
  if (principal.tenant === undefined) return undefined;
  const data = (event.data ?? {}) as { consignmentId?: string; exemptionId?: string; monitorId?: string };
  if (kind === 'monitor' && (principal.monitorId === undefined || data.monitorId !== principal.monitorId))
    return `monitorId ${JSON.stringify(data.monitorId)} is not this credential's monitor`;
  if (event.type === EventTypes.InputClosed || event.type === EventTypes.InputBounded)
    return closeRefusal(principal, event.source);
  if (event.type === EventTypes.ConsignmentRegistered) {
    // A claimed namespace is judged by the id's shape alone, before anything is looked up about the id,
    // so the answer is the same whether or not it exists elsewhere.
    const claimant = await tenants.claimantOfConsignmentId?.(data.consignmentId ?? '');
    if (claimant !== undefined && claimant !== principal.tenant)
      return notYoursRefusal('consignment', data.consignmentId);
    if ((await tenants.tenantOfExemption(data.exemptionId ?? '')) !== principal.tenant)
      return notYoursRefusal('exemption', data.exemptionId);
    const holder = await tenants.tenantOfConsignment(data.consignmentId ?? '');
    return holder === undefined || holder === principal.tenant
      ? undefined
      : notYoursRefusal('consignment', data.consignmentId);
  }
  return (await tenants.tenantOfConsignment(data.consignmentId ?? '')) === principal.tenant
    ? undefined
    : notYoursRefusal('consignment', data.consignmentId);
}

/**
 * Why `principal` may not write events of `type` under `source` at all (step 2 of `writeRefusal`: the
 * catalogue's `writers`), or undefined when it may, or when `type` is not an inbound type (left to
 * validation). Lets a request be refused (403) by its types before its `data` is validated, so a credential
 * learns nothing of the shape of events it may not write.
 */
export function typeRefusal(
  principal: Principal,
  type: string,
  source: string,
  committeeSources: readonly string[] = [],
): string | undefined {
  if (principal.role !== 'producer' && principal.role !== 'monitor')
    return `role ${principal.role} does not submit events`;
  const writers = writersOf(type);
  if (writers.length === 0) return undefined;
  const kinds = writerKindsOf(principal, source, committeeSources);
  return writers.some((w) => kinds.includes(w))
    ? undefined
    : kindRefusal(principal, { type } as AidEvent, writers);
}

/**
 * Why an organisation's producer may not close the input `source` (`aidwatch.input.closed.v1`, sent under
 * the closed source itself), or undefined when it may: only a source one of its credential's `sources`
 * names — a bare `*` names none, so a credential trusted to write anywhere still closes no other
 * organisation's feed. Judged by the source alone, never by what was written under it.
 */
function closeRefusal(principal: Principal, source: string): string | undefined {
  const named = (principal.sources ?? []).some((p) => p !== '*' && sourceAllowed([p], source));
  return named
    ? undefined
    : `source ${JSON.stringify(source)} is not one this credential may close: an organisation's producer closes only sources its credential names (not "*")`;
}

/** The refusal of a credential that is not among an event type's writers. */
function kindRefusal(
  principal: Principal,
  event: Pick<AidEvent, 'type'>,
  writers: readonly EventWriter[],
): string {
  const who =
    principal.role === 'monitor'
      ? 'a monitor'
      : principal.tenant === undefined
        ? 'a producer of no organisation'
        : "an organisation's producer";
  if (writers.includes('committee') && principal.role === 'producer' && principal.tenant === undefined)
    return `${event.type} events are written only under the committee's sources`;
  return `${who} does not write ${event.type} events (written by: ${writers.join(', ') || 'nobody'})`;
}

/** Resolves the implementing organisation (tenant) of a consignment or an exemption; undefined when unknown. */
export interface TenantLookup {
  tenantOfConsignment(consignmentId: string): Promise<string | undefined>;
  tenantOfExemption(exemptionId: string): Promise<string | undefined>;
  /** The organisation that claimed the namespace holding `consignmentId`; absent or undefined: none. */
  claimantOfConsignmentId?(consignmentId: string): Promise<string | undefined>;
}

/**
 * The write check of one request's events, judged in their order: a tenant the store does not know yet is
 * taken from the events of the same request already allowed — an exemption granted earlier in the batch
 * (`implementingOrg`; grants come only from producers of no organisation), a consignment registered earlier
 * in it (its exemption's organisation) — so a batch may carry a registration with its follow-up events. What the store knows always wins: a batch cannot give an
 * existing exemption or consignment another organisation. Returns a function for `EventIntake` (call it once
 * per event, in batch order); each call answers as `writeRefusal`.
 */
export function batchWriteAuthorizer(
  principal: Principal,
  tenants: TenantLookup,
  options: WriteJudgement = {},
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
    claimantOfConsignmentId: async (consignmentId) => tenants.claimantOfConsignmentId?.(consignmentId),
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
