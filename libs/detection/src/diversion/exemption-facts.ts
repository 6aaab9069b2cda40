import {
  EventTypes,
  type AidEvent,
  type ExemptionItem,
  type ExemptionSite,
  type PortDeclaredData,
} from '@aidwatch/domain';
import { factTimeOf, type Fact } from './consignment-facts';

export interface GrantFact extends Fact {
  exemptionId: string;
  committeeRef: string;
  projectTitle: string;
  implementingOrg: string;
  validFrom: number;
  validUntil: number;
  items: ExemptionItem[];
  sites: ExemptionSite[];
}
export interface RevocationFact extends Fact {
  reason: string;
}

/** Grants (a later grant of the same exemption amends it) and revocations of one exemption. */
export interface ExemptionFacts {
  exemptionId: string;
  grants: Map<string, GrantFact>;
  revocations: Map<string, RevocationFact>;
}

/** An exemption as the rules see it: the grant in force and the earliest revocation, if any. */
export interface Exemption {
  exemptionId: string;
  grant: GrantFact;
  revocation?: RevocationFact;
  items: Map<string, ExemptionItem>;
}

export const emptyExemption = (exemptionId: string): ExemptionFacts => ({
  exemptionId,
  grants: new Map(),
  revocations: new Map(),
});

/** Folds a grant or revocation into its exemption's facts; returns whether they changed (false for a redelivery). */
export function foldExemptionEvent(facts: ExemptionFacts, event: AidEvent): boolean {
  const base: Fact = { eventId: event.id, time: factTimeOf(event), recordedAt: Date.parse(event.time) };
  if (event.type === EventTypes.ExemptionGranted) {
    if (facts.grants.has(event.id)) return false;
    const { committeeRef, projectTitle, implementingOrg, validFrom, validUntil, items, sites } = event.data;
    facts.grants.set(event.id, {
      ...base,
      exemptionId: facts.exemptionId,
      committeeRef,
      projectTitle,
      implementingOrg,
      validFrom: Date.parse(validFrom),
      validUntil: Date.parse(validUntil),
      items: items.map((i) => ({ ...i })),
      sites: sites.map((s) => ({ ...s })),
    });
    return true;
  }
  if (event.type === EventTypes.ExemptionRevoked) {
    if (facts.revocations.has(event.id)) return false;
    facts.revocations.set(event.id, { ...base, reason: event.data.reason });
    return true;
  }
  return false;
}

export function exemptionOf(facts: ExemptionFacts | undefined): Exemption | undefined {
  if (!facts) return undefined;
  let grant: GrantFact | undefined;
  for (const g of facts.grants.values()) {
    if (
      !grant ||
      g.recordedAt > grant.recordedAt ||
      (g.recordedAt === grant.recordedAt && g.eventId > grant.eventId)
    )
      grant = g;
  }
  if (!grant) return undefined;
  let revocation: RevocationFact | undefined;
  for (const r of facts.revocations.values()) {
    if (
      !revocation ||
      r.time < revocation.time ||
      (r.time === revocation.time && r.eventId < revocation.eventId)
    )
      revocation = r;
  }
  const items = new Map(grant.items.map((i) => [i.itemCode, i]));
  return { exemptionId: facts.exemptionId, grant, revocation, items };
}

/** Where the exemption names a site. */
export const siteOf = (exemption: Exemption | undefined, siteId: string): ExemptionSite | undefined =>
  exemption?.grant.sites.find((s) => s.siteId === siteId);

export interface PortFact extends Fact {
  port: PortDeclaredData;
}

export interface ExemptionFactsJson {
  exemptionId: string;
  grants: GrantFact[];
  revocations: RevocationFact[];
}

const byId = (a: Fact, b: Fact): number => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);

export const exemptionToJson = (facts: ExemptionFacts): ExemptionFactsJson => ({
  exemptionId: facts.exemptionId,
  grants: [...facts.grants.values()].sort(byId),
  revocations: [...facts.revocations.values()].sort(byId),
});

export const exemptionFromJson = (json: ExemptionFactsJson): ExemptionFacts => ({
  exemptionId: json.exemptionId,
  grants: new Map(json.grants.map((g) => [g.eventId, g])),
  revocations: new Map(json.revocations.map((r) => [r.eventId, r])),
});
