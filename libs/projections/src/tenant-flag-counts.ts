import {
  EventTypes,
  flagOrganisations,
  OwnershipEventTypes,
  OwnershipLedger,
  StreamNames,
  type Flag,
  type FlagRaised,
} from '@aidwatch/domain';
import type { AllFilter, StoredEvent } from '@aidwatch/event-store';

const CONSIGNMENT_STREAM = StreamNames.consignment('');
const EXEMPTION_STREAM = StreamNames.exemption('');

/**
 * How many flag records each organisation has been shown (raises, open or cleared since: a flag raised again
 * after its clear is one more record), folded from the store: what `LIMIT_TENANT_FLAGS` is judged against.
 * The read model, the alert book and detection each keep every flag in memory, so one organisation's flags
 * cost the deployment's memory for everyone; this is the per-tenant quota on them (as Mimir's Alertmanager
 * limits a tenant's alerts, `max_alerts_count`).
 *
 * A raise counts for the organisation whose event caused it (`payers`), else for the organisations it is
 * shown to when it is folded (`flagOrganisations`, by the one ownership model: first accepted grant and
 * registration, operators' transfers) and that of the consignment it is about; a later transfer does not
 * move counts already made. Pure: fed `StoredEvent`s in store order by its owner (`filter` says which).
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

  apply(stored: Pick<StoredEvent, 'type' | 'data'> & { metadata?: Record<string, unknown> }): void {
    const event = stored.data as { type: string; data?: unknown };
    if (stored.type === EventTypes.FlagRaised) {
      for (const organisation of this.payers((event as FlagRaised).data as Flag, stored.metadata?.cause))
        this.counts.set(organisation, (this.counts.get(organisation) ?? 0) + 1);
      return;
    }
    this.ownership.apply(event);
  }

  /**
   * Whose quota a raise costs. An organisation's event caused it (its `cause` is the stream of a consignment
   * or exemption of that organisation): that organisation's alone, whoever the flag is about or shown to —
   * so one organisation's events (citing another's document, toggling a registration) never use up
   * another's quota. Otherwise (the deployment's feeds: AIS, ports, designations; work a fan-out left for
   * later; a store written before causes were recorded): the organisations it is shown to and that of the
   * consignment it is about.
   */
  private payers(flag: Flag, cause: unknown): Iterable<string> {
    const causer = typeof cause === 'string' ? this.organisationOfStream(cause) : undefined;
    if (causer !== undefined) return [causer];
    const organisations = new Set(
      flagOrganisations(flag, (id) => ({
        organisation: this.ownership.organisationOfConsignment(id),
        registered: this.ownership.registrationOrderOf(id),
      })),
    );
    // A flag about a consignment costs its organisation too, though it may not be shown it (a later
    // citer's `duplicate-document` flag is for operators).
    const subject =
      flag.subject?.kind === 'consignment'
        ? this.ownership.organisationOfConsignment(flag.subject.id)
        : undefined;
    if (subject !== undefined) organisations.add(subject);
    return organisations;
  }

  /** The organisation owning an inbound stream's subject (`consignment-<id>`, `exemption-<id>`), if known. */
  private organisationOfStream(streamId: string): string | undefined {
    if (streamId.startsWith(CONSIGNMENT_STREAM))
      return this.ownership.organisationOfConsignment(streamId.slice(CONSIGNMENT_STREAM.length));
    if (streamId.startsWith(EXEMPTION_STREAM))
      return this.ownership.organisationOfExemption(streamId.slice(EXEMPTION_STREAM.length));
    return undefined;
  }

  /** Flag records `organisation` has been shown, or raised about its consignments, so far (0 when none). */
  countOf(organisation: string): number {
    return this.counts.get(organisation) ?? 0;
  }
}
