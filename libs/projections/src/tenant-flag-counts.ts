import {
  EventTypes,
  flagOrganisations,
  OwnershipEventTypes,
  OwnershipLedger,
  type Flag,
  type FlagRaised,
} from '@aidwatch/domain';
import type { AllFilter, StoredEvent } from '@aidwatch/event-store';

/**
 * How many flag records each organisation has been shown (raises, open or cleared since: a flag raised again
 * after its clear is one more record), folded from the store: what `LIMIT_TENANT_FLAGS` is judged against.
 * The read model, the alert book and detection each keep every flag in memory, so one organisation's flags
 * cost the deployment's memory for everyone; this is the per-tenant quota on them (as Mimir's Alertmanager
 * limits a tenant's alerts, `max_alerts_count`).
 *
 * A raise counts for the organisations it is shown to when it is folded (`flagOrganisations`, by the one
 * ownership model: first accepted grant and registration, operators' transfers) and for the organisation of
 * the consignment it is about (its `subject`), shown it or not; a later transfer does not move counts
 * already made. Pure: fed `StoredEvent`s in store order by its owner (`filter` says which).
 */
export class TenantFlagCounts {
  /** The events this fold needs: ownership (grants, registrations, transfers) and flag raises. */
  static readonly filter: AllFilter = {
    eventTypePrefixes: [
      EventTypes.ExemptionGranted,
      EventTypes.ConsignmentRegistered,
      OwnershipEventTypes.Transferred,
      EventTypes.FlagRaised,
    ],
  };

  private readonly ownership = new OwnershipLedger();
  private readonly counts = new Map<string, number>();

  apply(stored: Pick<StoredEvent, 'type' | 'data'>): void {
    const event = stored.data as { type: string; data?: unknown };
    if (stored.type === EventTypes.FlagRaised) {
      const flag = (event as FlagRaised).data as Flag;
      const organisations = new Set(
        flagOrganisations(flag, (id) => ({
          organisation: this.ownership.organisationOfConsignment(id),
          registered: this.ownership.registrationOrderOf(id),
        })),
      );
      // A flag about a consignment costs its organisation too, though it may not be shown it (a later
      // citer's `duplicate-document` flag is for operators): otherwise citing another's document would raise
      // flags no quota counts.
      const subject =
        flag.subject?.kind === 'consignment'
          ? this.ownership.organisationOfConsignment(flag.subject.id)
          : undefined;
      if (subject !== undefined) organisations.add(subject);
      for (const organisation of organisations)
        this.counts.set(organisation, (this.counts.get(organisation) ?? 0) + 1);
      return;
    }
    this.ownership.apply(event);
  }

  /** Flag records `organisation` has been shown, or raised about its consignments, so far (0 when none). */
  countOf(organisation: string): number {
    return this.counts.get(organisation) ?? 0;
  }
}
