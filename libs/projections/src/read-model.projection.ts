import {
  EventTypes,
  OWNERSHIP_STREAM_PREFIX,
  OwnershipEventTypes,
  OwnershipLedger,
  type ConsignmentRegisteredData,
  type ExemptionGrantedData,
  type OwnershipLedgerJson,
  type OwnershipTransferredData,
} from '@aidwatch/domain';
import {
  consignmentToJson,
  exemptionOf,
  exemptionToJson,
  registrationOf,
  type ConsignmentFacts,
  type ConsignmentFactsJson,
  type ExemptionFactsJson,
} from '@aidwatch/detection';
import type { StoredEvent } from '@aidwatch/event-store';
import {
  consignmentDocument,
  consignmentIds,
  consignmentReadModelFilter,
  consignmentReadModelFromJson,
  consignmentReadModelToJson,
  evolveNoting,
  initialConsignmentReadModel,
  type ConsignmentDocument,
  type ConsignmentReadModelJson,
} from './consignment/consignment.read-model';
import type { FlagRecord, FlagsReadModel } from './flags-read-model';
import type { CheckpointParts, Projection } from './projection';
import { TenantFlagIndex } from './tenant-flag-index';

/** Checkpoint entry keys: a consignment's facts, an exemption's, a flag record by its index in raise order. */
const CONSIGNMENT = 'c:';
const EXEMPTION = 'e:';
const FLAG = 'f:';

/** A checkpoint in parts as the runner restores it: the head (the ownership ledger) and every entry saved. */
interface ReadModelParts {
  head: { ownership: OwnershipLedgerJson };
  entries: Record<string, unknown>;
}

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
  /** Entry keys changed since the last checkpoint (see `checkpointParts`). */
  private readonly changed = new Set<string>();
  private readonly tenantFlags = new TenantFlagIndex(
    () => this.state.flags,
    (consignmentId) => this.ownership.organisationOfConsignment(consignmentId),
  );

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

  /**
   * The flag records (indices in raise order, ascending) naming a consignment of `organisation`: a superset
   * of the flags it may see (`seesFlag` decides), for `GET /flags` to walk (see `TenantFlagIndex`).
   */
  flagIndicesOf(organisation: string): readonly number[] {
    return this.tenantFlags.of(organisation);
  }

  apply(stored: StoredEvent): void {
    if (stored.streamId.startsWith(OWNERSHIP_STREAM_PREFIX)) {
      this.applyOwnership(stored.data as { type: string; data: unknown });
      return;
    }
    if (!stored.streamId.startsWith('risk-'))
      this.applyOwnership(stored.data as { type: string; data: unknown });
    const change = evolveNoting(this.state, stored);
    if (change === undefined) return;
    if ('flagIndex' in change) {
      this.changed.add(FLAG + change.flagIndex);
      if (stored.type === EventTypes.FlagRaised && change.flagIndex === this.state.flags.size - 1)
        this.tenantFlags.raised(change.flagIndex);
    } else if ('exemptionId' in change) this.changed.add(EXEMPTION + change.exemptionId);
    else this.changed.add(CONSIGNMENT + change.consignmentId);
  }

  /**
   * Folds a grant, registration or transfer into the ownership ledger. Where that gives consignments already
   * named by flags an organisation, or moves them to another, the organisations' flag lists are dropped
   * (worked out afresh when next read): a transfer (either side), a new grant (its organisation: consignments
   * registered before it was folded join it), a registration of a consignment flags already name.
   */
  private applyOwnership(event: { type: string; data: unknown }): void {
    const touched = (): Array<string | undefined> => {
      if (event.type === EventTypes.ExemptionGranted)
        return [this.ownership.organisationOfExemption((event.data as ExemptionGrantedData).exemptionId)];
      if (event.type === EventTypes.ConsignmentRegistered) {
        const id = (event.data as ConsignmentRegisteredData).consignmentId;
        return this.state.flags.names(id) ? [this.ownership.organisationOfConsignment(id)] : [];
      }
      if (event.type === OwnershipEventTypes.Transferred) {
        const d = event.data as OwnershipTransferredData;
        return d.kind === 'exemption'
          ? [this.ownership.organisationOfExemption(d.exemptionId)]
          : [this.ownership.organisationOfConsignment(d.consignmentId)];
      }
      return [];
    };
    const before = touched();
    if (!this.ownership.apply(event)) return;
    this.tenantFlags.moved([...before, ...touched()]);
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

  /** The whole read model (a checkpoint saved whole: what changed starts afresh). */
  snapshot(): ConsignmentReadModelJson & { ownership: OwnershipLedgerJson } {
    this.changed.clear();
    return { ...consignmentReadModelToJson(this.state), ownership: this.ownership.toJson() };
  }

  /**
   * The checkpoint in parts: the ownership ledger as head, then each consignment, exemption and flag record
   * changed since the last checkpoint (all of them when asked), written by the runner a part at a time — so
   * no checkpoint holds the event loop for the whole read model (tens of megabytes once flags number in the
   * hundred thousands).
   */
  checkpointParts(all: boolean): CheckpointParts {
    const state = this.state;
    if (all) {
      for (const id of state.consignments.keys()) this.changed.add(CONSIGNMENT + id);
      for (const id of state.exemptions.keys()) this.changed.add(EXEMPTION + id);
      for (let i = 0; i < state.flags.size; i++) this.changed.add(FLAG + i);
    }
    const keys = [...this.changed];
    this.changed.clear();
    return {
      head: { ownership: this.ownership.toJson() },
      keys,
      entry: (key) => {
        const id = key.slice(2);
        if (key.startsWith(FLAG)) return state.flags.record(Number(id));
        if (key.startsWith(EXEMPTION)) {
          const facts = state.exemptions.get(id);
          return facts && exemptionToJson(facts);
        }
        const facts = state.consignments.get(id);
        return facts && consignmentToJson(facts);
      },
    };
  }

  /**
   * A snapshot written before the ownership ledger existed (no `ownership`) is read with the ownership
   * it implies: each consignment's newest registration, each exemption's newest grant (the old rule).
   */
  restore(snapshot: unknown): void {
    this.changed.clear();
    this.tenantFlags.clear();
    if ((snapshot as ReadModelParts).entries !== undefined)
      return this.restoreParts(snapshot as ReadModelParts);
    const json = snapshot as ConsignmentReadModelJson & { ownership?: OwnershipLedgerJson };
    this.state = consignmentReadModelFromJson(json);
    this.ownership = json.ownership ? OwnershipLedger.fromJson(json.ownership) : this.impliedOwnership();
  }

  reset(): void {
    this.state = initialConsignmentReadModel();
    this.ownership = new OwnershipLedger();
    this.changed.clear();
    this.tenantFlags.clear();
  }

  private restoreParts({ head, entries }: ReadModelParts): void {
    const consignments: ConsignmentFactsJson[] = [];
    const exemptions: ExemptionFactsJson[] = [];
    const flags: Array<[number, FlagRecord]> = [];
    for (const [key, value] of Object.entries(entries)) {
      if (value === undefined || value === null) continue;
      if (key.startsWith(FLAG)) flags.push([Number(key.slice(2)), value as FlagRecord]);
      else if (key.startsWith(EXEMPTION)) exemptions.push(value as ExemptionFactsJson);
      else if (key.startsWith(CONSIGNMENT)) consignments.push(value as ConsignmentFactsJson);
    }
    // Flags in raise order: their indices (and the cursors of GET /flags) come out as they were.
    flags.sort(([a], [b]) => a - b);
    this.state = consignmentReadModelFromJson({
      consignments,
      exemptions,
      flags: { records: flags.map(([, record]) => record) },
    });
    this.ownership = OwnershipLedger.fromJson(head.ownership);
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
