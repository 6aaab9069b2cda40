import {
  AboardEventKinds,
  aboardWindow,
  CarriageDirections,
  carriageStanding,
  eventTimeOf,
  EventTypes,
  mostAboardAtOnce,
  type AboardFacts,
  type AboardWindow,
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
 * - Consignments aboard a vessel (`consignmentsAboard`): the most of its consignments aboard the vessel at one
 *   moment of event time, by detection's own rule (`aboardWindow`: from the first load onto it to the first
 *   discharge dated after), those bound for it (registered on it, not yet aboard, with no discharge, custody
 *   transfer or delivery recorded) counted with the ones still aboard (`mostAboardAtOnce`), for `LIMIT_TENANT_CONSIGNMENTS_PER_VESSEL`: every vessel flag names
 *   the aid aboard at its time, and each load raises the vessel's open flags again, so what one load costs
 *   grows with them; a declared voyage is judged for as long as its aid is aboard. Back-dating a discharge,
 *   handing over custody, loading onto another ship or registering elsewhere changes nothing detection
 *   would still name, so none of them frees a place.
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
  /** Consignment → what the aboard rule reads of it, with the organisation it is counted for. */
  private readonly carriage = new Map<string, Carriage>();
  /** `organisation` NUL `mmsi` → its consignments linked to that vessel (registered or loaded on it). */
  private readonly linked = new Map<string, Set<string>>();
  /** `organisation` NUL `mmsi` → `mostAboardAtOnce` of `linked`, while none of them changed. */
  private readonly aboardCounts = new Map<string, number>();

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
      this.fold(stored.streamId.slice(CONSIGNMENT_STREAM.length), organisation, event);
    }
  }

  /** Folds a consignment event into the facts the aboard rule reads (redeliveries change nothing). */
  private fold(
    consignmentId: string,
    organisation: string | undefined,
    event: { type: string; data?: unknown },
  ): void {
    const kind = AboardEventKinds.get(event.type);
    if (kind === undefined) return;
    const { id, time: envelopeTime } = event as { id?: unknown; time?: unknown };
    if (typeof id !== 'string' || typeof envelopeTime !== 'string') return;
    let c = this.carriage.get(consignmentId);
    if (c === undefined) {
      c = { loads: new Map(), departures: new Map(), discharges: new Map(), done: false, folded: 0 };
      this.carriage.set(consignmentId, c);
    }
    // Counted for the organisation it first belonged to (events may come before their registration).
    c.organisation ??= organisation;
    c.folded += 1;
    const time = eventTimeOf({ time: envelopeTime, data: event.data });
    const before = c.registration?.mmsi;
    const data = event.data as { vessel?: { mmsi?: unknown }; vesselMmsi?: unknown } | undefined;
    switch (kind) {
      case 'registered': {
        const mmsi = data?.vessel?.mmsi;
        const recordedAt = Date.parse(envelopeTime);
        const current = c.registration;
        // The registration in force is the most recently recorded (detection's `registrationOf`); one with
        // the id of the one in force changes nothing (the same id from another source included), as there.
        if (
          typeof mmsi === 'string' &&
          (current === undefined ||
            (current.eventId !== id &&
              (current.recordedAt < recordedAt ||
                (current.recordedAt === recordedAt && current.eventId < id))))
        )
          c.registration = { mmsi, recordedAt, eventId: id };
        break;
      }
      // Keyed by event id, the first kept (detection's `putOnce`): an id sent again — from another of the
      // producer's sources too — changes nothing detection judges, so it changes nothing here either.
      case 'loaded':
        if (!c.loads.has(id))
          c.loads.set(id, { time, vesselMmsi: typeof data?.vesselMmsi === 'string' ? data.vesselMmsi : '' });
        break;
      case 'departed':
        if (!c.departures.has(id)) c.departures.set(id, { time });
        break;
      case 'discharged':
        if (!c.discharges.has(id)) c.discharges.set(id, { time });
        c.done = true;
        break;
      case 'handed-over': // custody transfer, delivery: no longer bound for a vessel it never came aboard
      case 'delivered':
        c.done = true;
        break;
      default:
        return kind satisfies never;
    }
    const vessels = new Set<string>();
    for (const mmsi of [before, c.registration?.mmsi, ...[...c.loads.values()].map((l) => l.vesselMmsi)])
      if (mmsi) vessels.add(mmsi);
    if (c.organisation === undefined) return;
    for (const mmsi of vessels) {
      const key = aboardKey(c.organisation, mmsi);
      let set = this.linked.get(key);
      if (set === undefined) this.linked.set(key, (set = new Set()));
      set.add(consignmentId);
      this.aboardCounts.delete(key);
    }
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

  /**
   * The most of `organisation`'s consignments aboard vessel `mmsi` at one moment (event time, `aboardWindow`),
   * plus those bound for it (see the class).
   */
  consignmentsAboard(organisation: string, mmsi: string): number {
    const key = aboardKey(organisation, mmsi);
    const cached = this.aboardCounts.get(key);
    if (cached !== undefined) return cached;
    const windows: AboardWindow[] = [];
    let bound = 0;
    for (const id of this.linked.get(key) ?? []) {
      const c = this.carriage.get(id) as Carriage;
      // Each call reads the facts afresh (`aboardFactsOf` hands out iterators read once).
      const window = aboardWindow(aboardFactsOf(c), mmsi);
      if (window !== undefined) windows.push(window);
      else if (carriageStanding(aboardFactsOf(c), mmsi, c.done) === 'bound') bound += 1;
    }
    const count = mostAboardAtOnce(windows, bound);
    this.aboardCounts.set(key, count);
    return count;
  }

  /**
   * Whether consignment `consignmentId` already counts in `consignmentsAboard` for vessel `mmsi` now (bound for
   * it, or aboard it with no discharge yet), so a registration or load naming `mmsi` adds no one.
   */
  countsAboard(consignmentId: string, mmsi: string): boolean {
    const c = this.carriage.get(consignmentId);
    if (c === undefined) return false;
    return carriageStanding(aboardFactsOf(c), mmsi, c.done) !== 'done';
  }

  /**
   * How many of the consignment's registrations, loads, departures, discharges, custody transfers and
   * deliveries were folded so far (0 for one unknown): it grows once an event sent about it is counted.
   */
  carriageEventsOf(consignmentId: string): number {
    return this.carriage.get(consignmentId)?.folded ?? 0;
  }

  /** The vessel (MMSI) consignment `consignmentId`'s registration in force names, if any. */
  registeredVesselOf(consignmentId: string): string | undefined {
    return this.carriage.get(consignmentId)?.registration?.mmsi;
  }

  /** Events of `organisation`'s consignments stored so far, each weighing `storedWeightOf` (0 when none). */
  eventsOf(organisation: string): number {
    return this.events.get(organisation) ?? 0;
  }
}

const aboardKey = (organisation: string, mmsi: string) => `${organisation}\u0000${mmsi}`;

const aboardFactsOf = (c: Carriage): AboardFacts => ({
  registeredMmsi: c.registration?.mmsi,
  loads: c.loads.values(),
  departures: c.departures.values(),
  discharges: c.discharges.values(),
});

/** One consignment as the aboard rule reads it (event times in ms; loads, departures, discharges by event id). */
interface Carriage {
  /** The organisation it is counted for; undefined until its registration is folded. */
  organisation?: string;
  registration?: { mmsi: string; recordedAt: number; eventId: string };
  loads: Map<string, { time: number; vesselMmsi: string }>;
  departures: Map<string, { time: number }>;
  discharges: Map<string, { time: number }>;
  /** A discharge, custody transfer or delivery is recorded: no longer bound for a vessel. */
  done: boolean;
  /** How many of its events the aboard rule reads were folded (redeliveries included). */
  folded: number;
}

/**
 * The vessel (MMSI) a consignment event puts its aid on or names as its carrier (a registration's `vessel`, a
 * load's `vesselMmsi`); null for an event that takes it off or ends its carriage (a discharge, a custody
 * transfer, a delivery: its row's `carriage` of direction `off` or `ends`); undefined for any other.
 */
export function carrierNamedBy(event: { type?: string; data?: unknown }): string | null | undefined {
  const kind = AboardEventKinds.get(event.type ?? '');
  const data = event.data as { vessel?: { mmsi?: unknown }; vesselMmsi?: unknown } | undefined;
  if (kind === 'registered') return typeof data?.vessel?.mmsi === 'string' ? data.vessel.mmsi : undefined;
  if (kind === 'loaded') return typeof data?.vesselMmsi === 'string' ? data.vesselMmsi : undefined;
  return kind !== undefined && CarriageDirections[kind] !== 'onto' ? null : undefined;
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
