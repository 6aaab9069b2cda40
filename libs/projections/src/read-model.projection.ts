import { exemptionOf, registrationOf } from '@aidwatch/detection';
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
  readonly filter = consignmentReadModelFilter;
  private state = initialConsignmentReadModel();

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
   * The tenant (implementing organisation of the exemption) of consignments and exemptions, for access
   * checks; undefined while the registration or the grant has not been folded.
   */
  readonly tenants = {
    tenantOfExemption: (exemptionId: string): string | undefined =>
      exemptionOf(this.state.exemptions.get(exemptionId))?.grant.implementingOrg,
    tenantOfConsignment: (consignmentId: string): string | undefined => {
      const facts = this.state.consignments.get(consignmentId);
      const registration = facts && registrationOf(facts);
      return registration && this.tenants.tenantOfExemption(registration.exemptionId);
    },
  };

  apply(stored: StoredEvent): void {
    evolve(this.state, stored);
  }

  consignment(id: string): ConsignmentDocument | undefined {
    return consignmentDocument(this.state, id);
  }

  consignmentIds(): string[] {
    return consignmentIds(this.state);
  }

  snapshot(): ConsignmentReadModelJson {
    return consignmentReadModelToJson(this.state);
  }

  restore(snapshot: unknown): void {
    this.state = consignmentReadModelFromJson(snapshot as ConsignmentReadModelJson);
  }

  reset(): void {
    this.state = initialConsignmentReadModel();
  }
}
