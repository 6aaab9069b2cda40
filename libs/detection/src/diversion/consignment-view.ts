import { riskLevelOf, type Flag, type ItemQuantity, type RiskLevel } from '@aidwatch/domain';
import type { DiversionContext } from './diversion-context';
import { sorted, totals, type ConsignmentFacts } from './consignment-facts';

/**
 * A consignment's lifecycle state: its furthest step on record, or `unregistered` while it has events but no
 * registration (whatever steps they report: without a registration nothing ties them to an exemption).
 */
export type ConsignmentStatus =
  | 'unregistered'
  | 'registered'
  | 'loaded'
  | 'departed'
  | 'arrived'
  | 'discharged'
  | 'in-custody'
  | 'delivered'
  | 'verified';

/** Every value of `ConsignmentStatus`, in lifecycle order (`unregistered` first). */
export const ConsignmentStatuses: readonly ConsignmentStatus[] = [
  'unregistered',
  'registered',
  'loaded',
  'departed',
  'arrived',
  'discharged',
  'in-custody',
  'delivered',
  'verified',
];

/** Quantity of one item at each step; null where the step has not happened. */
export interface ItemSteps {
  itemCode: string;
  unit: string | null;
  description: string | null;
  exempted: boolean | null;
  registered: number | null;
  loaded: number | null;
  discharged: number | null;
  /** With the latest holder: the last handover that lists the item. */
  custody: number | null;
  delivered: number | null;
  /** Sum over each site's latest verification. */
  verified: number | null;
}

/** A consignment's read model: JSON-friendly, ready for `GET /consignments/:id`. */
export interface ConsignmentView {
  consignmentId: string;
  exemptionId: string | null;
  /**
   * True while the consignment waits for its registration or its exemption: the rules that need them (and,
   * before the registration, every judgement about time) have not judged yet.
   */
  held: boolean;
  status: ConsignmentStatus;
  vessel: { mmsi: string; imo?: string; name?: string } | null;
  billOfLading: string | null;
  originPort: string | null;
  destinationPort: string | null;
  items: ItemSteps[];
  riskLevel: RiskLevel;
  openFlags: Flag[];
}

export function statusOf(facts: ConsignmentFacts): ConsignmentStatus {
  if (facts.registrations.size === 0) return 'unregistered';
  if (facts.verifications.size > 0) return 'verified';
  if (facts.deliveries.size > 0) return 'delivered';
  if (facts.custody.size > 0) return 'in-custody';
  if (facts.discharges.size > 0) return 'discharged';
  if (facts.arrivals.size > 0) return 'arrived';
  if (facts.departures.size > 0) return 'departed';
  if (facts.loads.size > 0) return 'loaded';
  return 'registered';
}

export function consignmentViewOf(
  ctx: Pick<DiversionContext, 'consignmentId' | 'facts' | 'registration' | 'exemption'>,
  openFlags: readonly Flag[],
): ConsignmentView {
  const { facts, registration, exemption } = ctx;
  const step = (present: boolean, sums: Map<string, number>) => (code: string) =>
    present ? (sums.get(code) ?? 0) : null;
  const registered = step(registration !== undefined, totals(registration ? [registration] : []));
  const loaded = step(facts.loads.size > 0, totals([...facts.loads.values()]));
  const discharged = step(facts.discharges.size > 0, totals([...facts.discharges.values()]));
  const delivered = step(facts.deliveries.size > 0, totals([...facts.deliveries.values()]));
  const latestPerSite = new Map<string, { items: ItemQuantity[] }>();
  for (const v of sorted(facts.verifications)) latestPerSite.set(v.siteId, { items: v.observed });
  const verified = step(facts.verifications.size > 0, totals([...latestPerSite.values()]));
  const custody = new Map<string, number>();
  for (const t of sorted(facts.custody)) for (const i of t.items) custody.set(i.itemCode, i.quantity);

  const codes = new Set<string>([...(registration?.items ?? []).map((i) => i.itemCode)]);
  for (const list of [facts.loads, facts.discharges, facts.custody, facts.deliveries])
    for (const f of list.values()) for (const i of f.items) codes.add(i.itemCode);
  for (const v of facts.verifications.values()) for (const i of v.observed) codes.add(i.itemCode);

  const items: ItemSteps[] = [...codes].sort().map((itemCode) => {
    const line = exemption?.items.get(itemCode);
    return {
      itemCode,
      unit: line?.unit ?? registration?.items.find((i) => i.itemCode === itemCode)?.unit ?? null,
      description: line?.description ?? null,
      exempted: exemption ? line !== undefined : null,
      registered: registered(itemCode),
      loaded: loaded(itemCode),
      discharged: discharged(itemCode),
      custody: custody.get(itemCode) ?? null,
      delivered: delivered(itemCode),
      verified: verified(itemCode),
    };
  });
  const flags = [...openFlags].sort(
    (a, b) => a.raisedAt.localeCompare(b.raisedAt) || a.fingerprint.localeCompare(b.fingerprint),
  );
  return {
    consignmentId: ctx.consignmentId,
    exemptionId: registration?.exemptionId ?? null,
    held: exemption === undefined,
    status: statusOf(facts),
    vessel: registration ? { ...registration.vessel } : null,
    billOfLading: registration?.billOfLading ?? null,
    originPort: registration?.originPort ?? null,
    destinationPort: registration?.destinationPort ?? null,
    items,
    riskLevel: riskLevelOf(flags),
    openFlags: flags,
  };
}
