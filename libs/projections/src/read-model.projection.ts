import { OWNERSHIP_STREAM_PREFIX, OwnershipLedger, type OwnershipLedgerJson } from '@aidwatch/domain';
import { exemptionOf, registrationOf, type ConsignmentFacts } from '@aidwatch/detection';
import type { StoredEvent } from '@aidwatch/event-store';
import {
  consignmentDocument,
  consignmentIds,
  consignmentReadModelFilter,
  consignmentReadModelFromJson,
  consignmentReadModelToJson,
  evolve,
  initialConsignmentReadModel,
  type ConsignmentDocument,
  type ConsignmentReadModelJson,
} from './consignment/consignment.read-model';
import type { FlagsReadModel } from './flags-read-model';
import type { Projection } from './projection';

/**
 * What the API serves: the consignment read model (consignment/consignment.read-model.ts) fed by a catch-up
 * subscription, with the flags index of `GET /flags`.
 */
export class ReadModelProjection implements Projection {
  readonly name: string;
  readonly filter = {
    ...consignmentReadModelFilter,
    streamPrefixes: [...(consignmentReadModelFilter.streamPrefixes ?? []), OWNERSHIP_STREAM_PREFIX],
  };
  private state = initialConsignmentReadModel();
  private ownership = new OwnershipLedger();

  /**
   * `version` names a blue/green copy (`read-model-v3@<version>`) built beside the live one. v3: built from
   * the upcast store (flags as `aidwatch.flag.raised.v2`), so a v2 snapshot holding v1 flags is not reused.
   */
  constructor(readonly version?: string) {
    this.name = version ? `read-model-v3@${version}` : 'read-model-v3';
  }

  get flags(): FlagsReadModel {
    return this.state.flags;
  }

  /**
   * The tenant (implementing organisation) of consignments and exemptions, for access checks, by the one
   * ownership model (`OwnershipLedger`: first accepted grant and registration, operator transfers);
   * undefined while the registration or the grant has not been folded.
   */
  readonly tenants = {
    tenantOfExemption: (exemptionId: string): string | undefined =>
      this.ownership.organisationOfExemption(exemptionId),
    tenantOfConsignment: (consignmentId: string): string | undefined =>
      this.ownership.organisationOfConsignment(consignmentId),
    /** A consignment's place among first registrations in store order (see `flagOrganisations`). */
    registrationOrderOf: (consignmentId: string): number | undefined =>
      this.ownership.registrationOrderOf(consignmentId),
    /** Whether some folded exemption belongs to `organisation`. */
    knowsOrganisation: (organisation: string): boolean => this.ownership.hasOrganisation(organisation),
  };

  apply(stored: StoredEvent): void {
    if (stored.streamId.startsWith(OWNERSHIP_STREAM_PREFIX)) {
      this.ownership.apply(stored.data as { type: string; data: unknown });
      return;
    }
    if (!stored.streamId.startsWith('risk-'))
      this.ownership.apply(stored.data as { type: string; data: unknown });
    evolve(this.state, stored);
  }

  consignment(id: string): ConsignmentDocument | undefined {
    return consignmentDocument(this.state, id);
  }

  /** The facts folded for one consignment (its paperwork, by event time), or undefined. */
  consignmentFacts(id: string): Readonly<ConsignmentFacts> | undefined {
    return this.state.consignments.get(id);
  }

  consignmentIds(): string[] {
    return consignmentIds(this.state);
  }

  snapshot(): ConsignmentReadModelJson & { ownership: OwnershipLedgerJson } {
    return { ...consignmentReadModelToJson(this.state), ownership: this.ownership.toJson() };
  }

  /**
   * A snapshot written before the ownership ledger existed (no `ownership`) is read with the ownership
   * it implies: each consignment's newest registration, each exemption's newest grant (the old rule).
   */
  restore(snapshot: unknown): void {
    const json = snapshot as ConsignmentReadModelJson & { ownership?: OwnershipLedgerJson };
    this.state = consignmentReadModelFromJson(json);
    this.ownership = json.ownership ? OwnershipLedger.fromJson(json.ownership) : this.impliedOwnership();
  }

  reset(): void {
    this.state = initialConsignmentReadModel();
    this.ownership = new OwnershipLedger();
  }

  private impliedOwnership(): OwnershipLedger {
    const exemptions: Array<[string, string]> = [];
    for (const [id, facts] of this.state.exemptions) {
      const org = exemptionOf(facts)?.grant.implementingOrg;
      if (org !== undefined) exemptions.push([id, org]);
    }
    const consignments: Array<[string, string]> = [];
    for (const [id, facts] of this.state.consignments) {
      const registration = registrationOf(facts);
      if (registration) consignments.push([id, registration.exemptionId]);
    }
    return OwnershipLedger.fromJson({ exemptions, consignments });
  }
}
