import {
  consignmentIdOfEvent,
  EventTypes,
  eventTimeOf,
  type AidEvent,
  type ItemQuantity,
  type VerificationFinding,
} from '@aidwatch/domain';

/**
 * What one event established. `time` is when it happened (`data.at`, else the envelope time); `recordedAt`
 * (the envelope time) orders versions of one record, e.g. a corrected delivery sent again with its id.
 */
export interface Fact {
  eventId: string;
  time: number;
  recordedAt: number;
}

export interface RegistrationFact extends Fact {
  /**
   * Epoch ms of the consignment's first registration when a correction replaced it (absent until then): its
   * place in the exemption's line (`ledgerLineOf`), whichever version came first.
   */
  firstTime?: number;
  exemptionId: string;
  billOfLading: string;
  items: Array<ItemQuantity & { unit: string }>;
  originPort: string;
  destinationPort: string;
  vessel: { mmsi: string; imo?: string; name?: string };
}
export interface LoadFact extends Fact {
  port: string;
  vesselMmsi: string;
  items: ItemQuantity[];
}
export interface PortCallFact extends Fact {
  port: string;
}
export interface DischargeFact extends Fact {
  port: string;
  items: ItemQuantity[];
}
export interface CustodyFact extends Fact {
  from: string;
  to: string;
  items: ItemQuantity[];
  documentHash: string;
}
export interface DeliveryFact extends Fact {
  deliveryId: string;
  siteId: string;
  lat: number;
  lon: number;
  items: ItemQuantity[];
  receivedBy: string;
  documentHash: string;
}
export interface VerificationFact extends Fact {
  verificationId: string;
  siteId: string;
  monitorId: string;
  lat: number;
  lon: number;
  observed: ItemQuantity[];
  finding: VerificationFinding;
  beneficiaries?: number;
}
export interface AccessDeniedFact extends Fact {
  siteId: string;
  monitorId: string;
  reason: string;
}

/**
 * Everything known about one consignment, whatever order it arrived in. Facts are keyed by event id, or by
 * their business id where a producer may send a correction (registration, delivery, verification).
 */
export interface ConsignmentFacts {
  consignmentId: string;
  registrations: Map<string, RegistrationFact>;
  loads: Map<string, LoadFact>;
  departures: Map<string, PortCallFact>;
  arrivals: Map<string, PortCallFact>;
  discharges: Map<string, DischargeFact>;
  custody: Map<string, CustodyFact>;
  deliveries: Map<string, DeliveryFact>;
  verifications: Map<string, VerificationFact>;
  accessDenials: Map<string, AccessDeniedFact>;
}

export type FactCollection = Exclude<keyof ConsignmentFacts, 'consignmentId'>;
export const factCollections: readonly FactCollection[] = [
  'registrations',
  'loads',
  'departures',
  'arrivals',
  'discharges',
  'custody',
  'deliveries',
  'verifications',
  'accessDenials',
];

export function emptyConsignment(consignmentId: string): ConsignmentFacts {
  return {
    consignmentId,
    registrations: new Map(),
    loads: new Map(),
    departures: new Map(),
    arrivals: new Map(),
    discharges: new Map(),
    custody: new Map(),
    deliveries: new Map(),
    verifications: new Map(),
    accessDenials: new Map(),
  };
}

/** When the fact happened: `data.at` where the event has one, else the envelope time (milliseconds). */
export const factTimeOf = (event: AidEvent): number => eventTimeOf(event);

export const byTimeThenId = (a: Fact, b: Fact): number =>
  a.time - b.time || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);

const byVersion = (a: Fact, b: Fact): number =>
  a.recordedAt - b.recordedAt || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);

export function sorted<F extends Fact>(facts: Map<string, F>): F[] {
  return [...facts.values()].sort(byTimeThenId);
}

/** The registration in force: the most recently recorded one. */
export function registrationOf(facts: ConsignmentFacts): RegistrationFact | undefined {
  let current: RegistrationFact | undefined;
  for (const r of facts.registrations.values()) if (!current || byVersion(r, current) > 0) current = r;
  return current;
}

/** Keeps the newest version under `key`; returns whether anything changed. */
function putVersion<F extends Fact>(into: Map<string, F>, key: string, fact: F): boolean {
  const current = into.get(key);
  if (current && (current.eventId === fact.eventId || byVersion(current, fact) > 0)) return false;
  into.set(key, fact);
  return true;
}

function putOnce<F extends Fact>(into: Map<string, F>, fact: F): boolean {
  if (into.has(fact.eventId)) return false;
  into.set(fact.eventId, fact);
  return true;
}

const itemsOf = (items: readonly ItemQuantity[]): ItemQuantity[] =>
  items.map(({ itemCode, quantity }) => ({ itemCode, quantity }));

/** Folds a consignment event into its facts; returns whether the facts changed (false for a redelivery). */
export function foldConsignmentEvent(facts: ConsignmentFacts, event: AidEvent): boolean {
  // Objects are built field by field: object spread is a slow path in V8 on this hot path.
  const eventId = event.id;
  const time = factTimeOf(event);
  const recordedAt = Date.parse(event.time);
  switch (event.type) {
    case EventTypes.ConsignmentRegistered: {
      const { exemptionId, billOfLading, items, originPort, destinationPort, vessel } = event.data;
      // A correction keeps the first registration's place in line, in whichever order the versions come.
      const current = facts.registrations.get('registration');
      const first =
        current && current.eventId !== eventId
          ? Math.min(current.firstTime ?? current.time, time)
          : undefined;
      if (current && first !== undefined && byVersion(current, { eventId, recordedAt } as Fact) > 0) {
        if (first === (current.firstTime ?? current.time)) return false;
        current.firstTime = first;
        return true;
      }
      return putVersion(facts.registrations, 'registration', {
        ...(first !== undefined && first !== time && { firstTime: first }),
        eventId,
        time,
        recordedAt,
        exemptionId,
        billOfLading,
        items: items.map(({ itemCode, quantity, unit }) => ({ itemCode, quantity, unit })),
        originPort,
        destinationPort,
        vessel: { mmsi: vessel.mmsi, imo: vessel.imo, name: vessel.name },
      });
    }
    case EventTypes.ConsignmentLoaded: {
      const { port, vesselMmsi, items } = event.data;
      return putOnce(facts.loads, { eventId, time, recordedAt, port, vesselMmsi, items: itemsOf(items) });
    }
    case EventTypes.ConsignmentDeparted:
      return putOnce(facts.departures, { eventId, time, recordedAt, port: event.data.port });
    case EventTypes.ConsignmentArrived:
      return putOnce(facts.arrivals, { eventId, time, recordedAt, port: event.data.port });
    case EventTypes.ConsignmentDischarged: {
      const { port, items } = event.data;
      return putOnce(facts.discharges, { eventId, time, recordedAt, port, items: itemsOf(items) });
    }
    case EventTypes.CustodyTransferred: {
      const { from, to, items, documentHash } = event.data;
      return putOnce(facts.custody, {
        eventId,
        time,
        recordedAt,
        from,
        to,
        items: itemsOf(items),
        documentHash,
      });
    }
    case EventTypes.DeliveryRecorded: {
      const { deliveryId, siteId, lat, lon, items, receivedBy, documentHash } = event.data;
      return putVersion(facts.deliveries, deliveryId, {
        eventId,
        time,
        recordedAt,
        deliveryId,
        siteId,
        lat,
        lon,
        items: itemsOf(items),
        receivedBy,
        documentHash,
      });
    }
    case EventTypes.VerificationReported: {
      const { verificationId, siteId, monitorId, lat, lon, observed, finding, beneficiaries } = event.data;
      const verification: VerificationFact = {
        eventId,
        time,
        recordedAt,
        verificationId,
        siteId,
        monitorId,
        lat,
        lon,
        observed: itemsOf(observed),
        finding,
      };
      if (beneficiaries !== undefined) verification.beneficiaries = beneficiaries;
      return putVersion(facts.verifications, verificationId, verification);
    }
    case EventTypes.AccessDenied: {
      const { siteId, monitorId, reason } = event.data;
      return putOnce(facts.accessDenials, { eventId, time, recordedAt, siteId, monitorId, reason });
    }
    default:
      return false;
  }
}

/** The consignment an inbound event is about, if it is a consignment event (its catalogue row's subject). */
export const consignmentIdOf = (event: AidEvent): string | undefined => consignmentIdOfEvent(event);

/** Total quantity per item code over some facts. */
export function totals(facts: ReadonlyArray<{ items: readonly ItemQuantity[] }>): Map<string, number> {
  const sum = new Map<string, number>();
  for (const f of facts)
    for (const i of f.items) sum.set(i.itemCode, (sum.get(i.itemCode) ?? 0) + i.quantity);
  return sum;
}

export interface ConsignmentFactsJson {
  consignmentId: string;
  facts: Partial<Record<FactCollection, Array<[string, Fact]>>>;
}

export function consignmentToJson(facts: ConsignmentFacts): ConsignmentFactsJson {
  const out: ConsignmentFactsJson = { consignmentId: facts.consignmentId, facts: {} };
  for (const name of factCollections) {
    const entries = [...facts[name].entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (entries.length > 0) out.facts[name] = entries;
  }
  return out;
}

export function consignmentFromJson(json: ConsignmentFactsJson): ConsignmentFacts {
  const facts = emptyConsignment(json.consignmentId);
  for (const name of factCollections) {
    const target = facts[name] as Map<string, Fact>;
    for (const [key, fact] of json.facts[name] ?? []) target.set(key, fact);
  }
  return facts;
}
