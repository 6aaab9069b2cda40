import {
  EventTypes,
  flagOrganisations,
  OWNERSHIP_STREAM_PREFIX,
  OwnershipLedger,
  StreamNames,
  type Flag,
  type FlagRaised,
} from '@aidwatch/domain';
import type { AllFilter, StoredEvent } from '@aidwatch/event-store';

const CONSIGNMENT_STREAM = StreamNames.consignment('');
const EXEMPTION_STREAM = StreamNames.exemption('');

/**
 * What each organisation has made the deployment hold, folded from the store: what the per-organisation
 * quotas `LIMIT_TENANT_FLAGS` and `LIMIT_TENANT_STORED_EVENTS` are judged against. The read model, the alert
 * book and detection keep every consignment's facts and every flag in memory, so these are the deployment's
 * memory, and one organisation filling it fails every other (the per-tenant limits of multi-tenant
 * monitoring: Mimir's `max_global_series_per_user`, its Alertmanager's `max_alerts_count`).
 * - Stored events (`eventsOf`): the events of its consignments' streams (`consignment-<id>`), each weighing
 *   `storedWeightOf` its data, counted for the consignment's organisation once folded (a registration for the
 *   organisation it registers under).
 * - Flag records (`flagsOf`): raises, open or cleared since (a flag raised again after its clear is one more
 *   record). A raise counts for the organisation whose event caused it (`payers`), else for the organisations
 *   it is shown to when it is folded (`flagOrganisations`) and that of the consignment it is about.
 * - Consignments aboard a vessel (`consignmentsAboard`): its consignments whose aid is on or bound for the
 *   vessel now (a registration names the vessel, a load puts it aboard; a discharge, a custody transfer or a
 *   delivery takes it off), for `LIMIT_TENANT_CONSIGNMENTS_PER_VESSEL`: every flag of a vessel names the aid
 *   on board, and each load raises the vessel's open flags again, so what one load costs grows with them.
 * Counts follow the one ownership model (first accepted grant and registration, operators' transfers); a
 * later transfer does not move counts already made. Pure: fed `StoredEvent`s in store order (`filter`).
 */
export class TenantUsage {
  /** The streams this fold reads: consignments and exemptions (ownership, events), flags, transfers. */
  static readonly filter: AllFilter = {
    streamPrefixes: [
      StreamNames.consignment(''),
      StreamNames.exemption(''),
      'risk-', // StreamNames.risk: flags of consignments and vessels
      OWNERSHIP_STREAM_PREFIX,
    ],
  };

  private readonly ownership = new OwnershipLedger();
  private readonly flags = new Map<string, number>();
  private readonly events = new Map<string, number>();
  /** Consignment → the vessel (MMSI) its aid is on or bound for now, and the organisation it was counted for. */
  private readonly carriers = new Map<string, { mmsi: string; organisation: string }>();
  /** `organisation` NUL `mmsi` → its consignments aboard that vessel now. */
  private readonly aboard = new Map<string, number>();

  apply(
    stored: Pick<StoredEvent, 'type' | 'data' | 'streamId'> & { metadata?: Record<string, unknown> },
  ): void {
    const event = stored.data as { type: string; data?: unknown };
    if (stored.type === EventTypes.FlagRaised) {
      for (const organisation of this.payers((event as FlagRaised).data as Flag, stored.metadata?.cause))
        add(this.flags, organisation);
      return;
    }
    this.ownership.apply(event);
    if (stored.streamId.startsWith(CONSIGNMENT_STREAM)) {
      const organisation = this.organisationOfStream(stored.streamId);
      if (organisation !== undefined) add(this.events, organisation, storedWeightOf(event.data));
      const consignmentId = stored.streamId.slice(CONSIGNMENT_STREAM.length);
      const carrier = carrierNamedBy(event);
      if (carrier === null) this.unlink(consignmentId);
      else if (carrier !== undefined && organisation !== undefined)
        this.link(consignmentId, carrier, organisation);
    }
  }

  private link(consignmentId: string, mmsi: string, organisation: string): void {
    const current = this.carriers.get(consignmentId);
    if (current?.mmsi === mmsi && current.organisation === organisation) return;
    this.unlink(consignmentId);
    this.carriers.set(consignmentId, { mmsi, organisation });
    add(this.aboard, aboardKey(organisation, mmsi));
  }

  private unlink(consignmentId: string): void {
    const current = this.carriers.get(consignmentId);
    if (current === undefined) return;
    this.carriers.delete(consignmentId);
    const key = aboardKey(current.organisation, current.mmsi);
    const left = (this.aboard.get(key) ?? 1) - 1;
    if (left > 0) this.aboard.set(key, left);
    else this.aboard.delete(key);
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

  /** Flag records counted for `organisation` so far (0 when none). */
  flagsOf(organisation: string): number {
    return this.flags.get(organisation) ?? 0;
  }

  /** `organisation`'s consignments aboard (or bound for) vessel `mmsi` now. */
  consignmentsAboard(organisation: string, mmsi: string): number {
    return this.aboard.get(aboardKey(organisation, mmsi)) ?? 0;
  }

  /** The vessel (MMSI) consignment `consignmentId`'s aid is on or bound for now, if any. */
  carrierOf(consignmentId: string): string | undefined {
    return this.carriers.get(consignmentId)?.mmsi;
  }

  /** Events of `organisation`'s consignments stored so far, each weighing `storedWeightOf` (0 when none). */
  eventsOf(organisation: string): number {
    return this.events.get(organisation) ?? 0;
  }
}

const aboardKey = (organisation: string, mmsi: string) => `${organisation}\u0000${mmsi}`;

/**
 * The vessel (MMSI) a consignment event puts its aid on or names as its carrier (a registration's `vessel`, a
 * load's `vesselMmsi`); null for an event that takes it off (a discharge, a custody transfer, a delivery);
 * undefined for any other.
 */
export function carrierNamedBy(event: { type?: string; data?: unknown }): string | null | undefined {
  const data = event.data as { vessel?: { mmsi?: unknown }; vesselMmsi?: unknown } | undefined;
  switch (event.type) {
    case EventTypes.ConsignmentRegistered:
      return typeof data?.vessel?.mmsi === 'string' ? data.vessel.mmsi : undefined;
    case EventTypes.ConsignmentLoaded:
      return typeof data?.vesselMmsi === 'string' ? data.vesselMmsi : undefined;
    case EventTypes.ConsignmentDischarged:
    case EventTypes.CustodyTransferred:
    case EventTypes.DeliveryRecorded:
      return null;
    default:
      return undefined;
  }
}

function add(counts: Map<string, number>, organisation: string, weight = 1): void {
  counts.set(organisation, (counts.get(organisation) ?? 0) + weight);
}

/** Bytes of an event's data (as JSON) that weigh as much as one more event in `eventsOf`. */
export const BYTES_PER_STORED_EVENT = 2048;

/**
 * What an event with `data` weighs in `LIMIT_TENANT_STORED_EVENTS`: one, and one more for each
 * `BYTES_PER_STORED_EVENT` of its data as JSON (its lines, and any other field: what detection, the read model
 * and a reader of its stream hold grows with its size). Measured in floods through the whole system: about
 * 3 KB of memory an event, flags included, and about 160 bytes a line.
 */
export function storedWeightOf(data: unknown): number {
  return 1 + Math.floor(jsonLength(data) / BYTES_PER_STORED_EVENT);
}

function jsonLength(value: unknown): number {
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return 0;
  }
}
