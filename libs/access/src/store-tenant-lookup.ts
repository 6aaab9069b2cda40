import {
  claimantOf,
  EventTypes,
  OwnershipEventTypes,
  OwnershipStreams,
  StreamNames,
  type ConsignmentRegistered,
  type ExemptionGranted,
  type OwnershipLookup,
  type OwnershipTransferred,
  type PrefixClaim,
  type PrefixClaimed,
} from '@aidwatch/domain';
import type { EventStore } from '@aidwatch/event-store';

/** Events read per page while looking for the first grant or registration of a stream. */
const PAGE = 50;

/**
 * The ownership model (`@aidwatch/domain` ownership.ts) read straight from the store, so a write right
 * after a registration is judged without waiting for a projection, and every process (API, ingestor)
 * answers alike: the first grant of `exemption-<id>` and the first registration of `consignment-<id>`,
 * unless the newest event of `ownership-exemption-<id>` / `ownership-consignment-<id>` (an operator's
 * transfer) says otherwise. First events never change, so they are cached; transfer streams are read each
 * time (one short read, usually of an empty stream), so a transfer takes effect at once everywhere.
 * Claimed consignment id namespaces (`ownership-prefixes`) are read whole when the stream's newest revision
 * differs from the one last read (one short read otherwise), so a claim also takes effect at once.
 */
export class StoreTenantLookup implements OwnershipLookup {
  private readonly firstGrant = new Map<string, string>();
  private readonly firstRegistration = new Map<string, string>();
  private claims: { revision: number; claims: PrefixClaim[] } = { revision: -1, claims: [] };

  constructor(private readonly store: EventStore) {}

  async tenantOfConsignment(consignmentId: string): Promise<string | undefined> {
    const exemptionId = await this.exemptionOfConsignment(consignmentId);
    return exemptionId === undefined ? undefined : this.organisationOfExemption(exemptionId);
  }

  async tenantOfExemption(exemptionId: string): Promise<string | undefined> {
    return this.organisationOfExemption(exemptionId);
  }

  async organisationOfExemption(exemptionId: string): Promise<string | undefined> {
    const transfer = await this.latestTransfer(OwnershipStreams.exemption(exemptionId));
    if (transfer?.data.kind === 'exemption') return transfer.data.toOrg;
    const cached = this.firstGrant.get(exemptionId);
    if (cached !== undefined) return cached;
    const granted = (await this.first(StreamNames.exemption(exemptionId), EventTypes.ExemptionGranted)) as
      ExemptionGranted | undefined;
    if (granted) this.firstGrant.set(exemptionId, granted.data.implementingOrg);
    return granted?.data.implementingOrg;
  }

  async exemptionOfConsignment(consignmentId: string): Promise<string | undefined> {
    const transfer = await this.latestTransfer(OwnershipStreams.consignment(consignmentId));
    if (transfer?.data.kind === 'consignment') return transfer.data.toExemptionId;
    const cached = this.firstRegistration.get(consignmentId);
    if (cached !== undefined) return cached;
    const registered = (await this.first(
      StreamNames.consignment(consignmentId),
      EventTypes.ConsignmentRegistered,
    )) as ConsignmentRegistered | undefined;
    if (registered) this.firstRegistration.set(consignmentId, registered.data.exemptionId);
    return registered?.data.exemptionId;
  }

  /** The organisation whose claimed namespace holds `consignmentId`; undefined when none does. */
  async claimantOfConsignmentId(consignmentId: string): Promise<string | undefined> {
    return claimantOf(await this.prefixClaims(), consignmentId);
  }

  /** Every claimed consignment id namespace, in the order claimed. */
  async prefixClaims(): Promise<PrefixClaim[]> {
    return (await this.prefixClaimEvents()).claims;
  }

  /** The claims and the revision of the stream they were read at (-1: no claim yet). */
  async prefixClaimEvents(): Promise<{ revision: number; claims: PrefixClaim[] }> {
    const [newest] = await this.store.readStream(OwnershipStreams.prefixes, {
      direction: 'backwards',
      maxCount: 1,
    });
    const revision = newest === undefined ? -1 : Number(newest.revision);
    if (revision === this.claims.revision) return this.claims;
    const claims: PrefixClaim[] = [];
    for (let from = 0; ; from += PAGE) {
      const page = await this.store.readStream(OwnershipStreams.prefixes, {
        direction: 'forwards',
        fromRevision: from,
        maxCount: PAGE,
      });
      for (const stored of page) {
        const event = stored.data as PrefixClaimed;
        if (event.type === OwnershipEventTypes.PrefixClaimed)
          claims.push({ org: event.data.org, prefix: event.data.prefix });
      }
      if (page.length < PAGE) break;
    }
    this.claims = { revision, claims };
    return this.claims;
  }

  private async latestTransfer(streamId: string): Promise<OwnershipTransferred | undefined> {
    const [newest] = await this.store.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    return newest?.data as OwnershipTransferred | undefined;
  }

  /** The first event of `type` in a stream, reading it page by page from the start. */
  private async first(streamId: string, type: string): Promise<{ type: string; data: never } | undefined> {
    for (let from = 0; ; from += PAGE) {
      const page = await this.store.readStream(streamId, {
        direction: 'forwards',
        fromRevision: from,
        maxCount: PAGE,
      });
      const found = page.find((e) => e.type === type);
      if (found) return found.data as { type: string; data: never };
      if (page.length < PAGE) return undefined;
    }
  }
}
