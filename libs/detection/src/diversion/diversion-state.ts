import {
  aboardSince,
  aboardWindow,
  carriageStanding,
  EventTypes,
  subjectOfStoredEvent,
  type AboardFacts,
  type AidEvent,
  type CarriageStanding,
  type PortDeclaredData,
} from '@aidwatch/domain';
import type { DiversionConfig } from './diversion-config';
import { contextOf, type DiversionContext } from './diversion-context';
import {
  consignmentFromJson,
  consignmentIdOf,
  consignmentToJson,
  emptyConsignment,
  factTimeOf,
  foldConsignmentEvent,
  registrationOf,
  type ConsignmentFacts,
  type ConsignmentFactsJson,
  type Fact,
} from './consignment-facts';
import { DocumentIndex } from './document-uses';
import {
  emptyExemption,
  exemptionFromJson,
  foldExemptionEvent,
  exemptionOf,
  exemptionToJson,
  type Exemption,
  type ExemptionFacts,
  type ExemptionFactsJson,
  type PortFact,
} from './exemption-facts';
import { ExemptionLedger, ledgerLineOf, type LedgerMove } from './exemption-ledger';

/**
 * Which consignments an event may change the judgement of, and for each exemption whose cumulative
 * quantities moved, how far they moved per item.
 */
export interface Impact {
  consignments: Set<string>;
  ledgers: Map<string, LedgerMove[]>;
}

export interface DiversionStateJson {
  consignments: ConsignmentFactsJson[];
  exemptions: ExemptionFactsJson[];
  ports: PortFact[];
}

/** A consignment's facts as the aboard rule reads them. */
const aboardFactsOf = (facts: ConsignmentFacts): AboardFacts => ({
  registeredMmsi: registrationOf(facts)?.vessel.mmsi,
  loads: facts.loads.values(),
  departures: facts.departures.values(),
  discharges: facts.discharges.values(),
});

const sortedKeys = <V>(map: Map<string, V>): string[] => [...map.keys()].sort();

/** All diversion facts plus the indexes that link consignments: exemption members, documents, vessels. */
/** The kinds of subject the diversion state keeps, in checkpoint order. */
export type DiversionSubjectKind = 'exemption' | 'port' | 'consignment';

export class DiversionState {
  private readonly consignments = new Map<string, ConsignmentFacts>();
  private readonly exemptionFacts = new Map<string, ExemptionFacts>();
  private readonly ports = new Map<string, PortFact>();
  private readonly members = new Map<string, Set<string>>();
  private readonly memberOf = new Map<string, string>();
  private readonly carriers = new Map<string, Set<string>>();
  private readonly documents = new DocumentIndex();
  private readonly exemptions = new Map<string, Exemption | undefined>();
  private readonly ledgers = new Map<string, ExemptionLedger>();

  /**
   * Folds an event by what its catalogue row says it is about (exemption, port or consignment); undefined
   * when it changes nothing (another subject, or a redelivery).
   */
  apply(event: AidEvent): Impact | undefined {
    switch (subjectOfStoredEvent(event)?.kind) {
      case 'exemption':
        return this.applyExemption(event as Parameters<DiversionState['applyExemption']>[0]);
      case 'port':
        this.declarePort((event as AidEvent & { data: PortDeclaredData }).data, {
          eventId: event.id,
          time: factTimeOf(event),
          recordedAt: Date.parse(event.time),
        });
        return undefined;
      case 'consignment':
        return this.applyConsignment(event);
      default:
        return undefined;
    }
  }

  declarePort(port: PortDeclaredData, fact: Fact): void {
    const current = this.ports.get(port.locode);
    if (
      current &&
      (current.recordedAt > fact.recordedAt ||
        (current.recordedAt === fact.recordedAt && current.eventId >= fact.eventId))
    )
      return;
    this.ports.set(port.locode, { ...fact, port: { ...port } });
  }

  has(consignmentId: string): boolean {
    return this.consignments.has(consignmentId);
  }

  consignmentIds(): string[] {
    return sortedKeys(this.consignments);
  }

  /** Whether the consignment's registration has arrived (false for an unknown id too). */
  isRegistered(consignmentId: string): boolean {
    return this.memberOf.has(consignmentId);
  }

  /** How many consignments have facts but no registration yet. */
  unregisteredCount(): number {
    return this.consignments.size - this.memberOf.size;
  }

  /** The exemption a consignment is registered under (undefined before its registration). */
  exemptionIdOf(consignmentId: string): string | undefined {
    return this.memberOf.get(consignmentId);
  }

  membersOf(exemptionId: string): string[] {
    return [...(this.members.get(exemptionId) ?? [])].sort();
  }

  exemption(exemptionId: string): Exemption | undefined {
    if (!this.exemptions.has(exemptionId))
      this.exemptions.set(exemptionId, exemptionOf(this.exemptionFacts.get(exemptionId)));
    return this.exemptions.get(exemptionId);
  }

  ledger(exemptionId: string): ExemptionLedger {
    let ledger = this.ledgers.get(exemptionId);
    if (!ledger) this.ledgers.set(exemptionId, (ledger = new ExemptionLedger(exemptionId)));
    return ledger;
  }

  context(
    consignmentId: string,
    watermark: number,
    config: DiversionConfig,
    deadlines: { next: number },
  ): DiversionContext {
    const facts = this.consignments.get(consignmentId) ?? emptyConsignment(consignmentId);
    const registration = registrationOf(facts);
    const exemption = registration ? this.exemption(registration.exemptionId) : undefined;
    return contextOf({
      consignmentId,
      facts,
      registration,
      exemption,
      config,
      watermark,
      deadlines,
      documentKeys: () => this.documents.keysOf(consignmentId),
      documentUses: (key) => this.documents.uses(key),
      ledger: () => (registration && exemption ? this.ledger(registration.exemptionId) : undefined),
      portName: (locode) => this.ports.get(locode)?.port.name,
    });
  }

  /**
   * Consignments aboard the vessel at `at` (ms): within their `aboardWindow` on it — loaded on it (or departed
   * on the registered one) and not yet discharged. The same rule `TenantUsage` counts for the per-vessel limit.
   */
  onBoard(mmsi: string, at: number): string[] {
    const aboard: string[] = [];
    for (const c of this.carriers.get(mmsi) ?? []) {
      const window = aboardWindow(aboardFactsOf(this.consignments.get(c) as ConsignmentFacts), mmsi);
      if (window !== undefined && window.from <= at && at < window.to) aboard.push(c);
    }
    return aboard.sort();
  }

  /** When the consignment came on board `mmsi` (ms; `aboardSince`); +Infinity when unknown. */
  onBoardSince(consignmentId: string, mmsi: string): number {
    const facts = this.consignments.get(consignmentId);
    return facts ? aboardSince(aboardFactsOf(facts), mmsi) : Number.POSITIVE_INFINITY;
  }

  /** Where the consignment stands with vessel `mmsi` now (`CarriageStanding`: aboard, bound for it, or done). */
  standingOn(consignmentId: string, mmsi: string): CarriageStanding {
    const facts = this.consignments.get(consignmentId);
    if (!facts) return 'done';
    const ended = facts.discharges.size + facts.custody.size + facts.deliveries.size > 0;
    return carriageStanding(aboardFactsOf(facts), mmsi, ended);
  }

  /** The vessels a consignment is registered or loaded on (MMSIs, sorted); empty when none is known. */
  carriersOf(consignmentId: string): string[] {
    const facts = this.consignments.get(consignmentId);
    if (!facts) return [];
    const vessels = new Set<string>();
    const registered = registrationOf(facts)?.vessel.mmsi;
    if (registered) vessels.add(registered);
    for (const l of facts.loads.values()) if (l.vesselMmsi) vessels.add(l.vesselMmsi);
    return [...vessels].sort();
  }

  toJSON(): DiversionStateJson {
    return {
      consignments: this.consignmentIds().map((c) =>
        consignmentToJson(this.consignments.get(c) as ConsignmentFacts),
      ),
      exemptions: sortedKeys(this.exemptionFacts).map((e) =>
        exemptionToJson(this.exemptionFacts.get(e) as ExemptionFacts),
      ),
      ports: sortedKeys(this.ports).map((p) => this.ports.get(p) as PortFact),
    };
  }

  /** The ids of every subject kept of one kind (the checkpoint keys `exemption:<id>`, `port:<locode>`, `consignment:<id>`). */
  subjectIds(kind: DiversionSubjectKind): IterableIterator<string> {
    if (kind === 'exemption') return this.exemptionFacts.keys();
    if (kind === 'port') return this.ports.keys();
    return this.consignments.keys();
  }

  /** One consignment's facts as in `toJSON().consignments`, undefined when unknown. */
  consignmentJson(consignmentId: string): ConsignmentFactsJson | undefined {
    const facts = this.consignments.get(consignmentId);
    return facts ? consignmentToJson(facts) : undefined;
  }

  exemptionJson(exemptionId: string): ExemptionFactsJson | undefined {
    const facts = this.exemptionFacts.get(exemptionId);
    return facts ? exemptionToJson(facts) : undefined;
  }

  portJson(locode: string): PortFact | undefined {
    return this.ports.get(locode);
  }

  static fromJSON(json: DiversionStateJson): DiversionState {
    const state = new DiversionState();
    for (const e of json.exemptions) state.exemptionFacts.set(e.exemptionId, exemptionFromJson(e));
    for (const p of json.ports) state.ports.set(p.port.locode, p);
    for (const c of json.consignments) {
      const facts = consignmentFromJson(c);
      state.consignments.set(facts.consignmentId, facts);
      state.reindex(facts, { consignments: new Set(), ledgers: new Map() });
      state.documents.update(facts);
    }
    return state;
  }

  private applyExemption(
    event: AidEvent & { type: typeof EventTypes.ExemptionGranted | typeof EventTypes.ExemptionRevoked },
  ): Impact | undefined {
    const id = event.data.exemptionId;
    let facts = this.exemptionFacts.get(id);
    if (!facts) this.exemptionFacts.set(id, (facts = emptyExemption(id)));
    if (!foldExemptionEvent(facts, event)) return undefined;
    this.exemptions.delete(id);
    return { consignments: new Set(this.membersOf(id)), ledgers: new Map() };
  }

  private applyConsignment(event: AidEvent): Impact | undefined {
    const id = consignmentIdOf(event);
    if (id === undefined) return undefined;
    let facts = this.consignments.get(id);
    if (!facts) this.consignments.set(id, (facts = emptyConsignment(id)));
    if (!foldConsignmentEvent(facts, event)) return undefined;
    const impact: Impact = { consignments: new Set([id]), ledgers: new Map() };
    if (event.type === EventTypes.ConsignmentRegistered || event.type === EventTypes.ConsignmentLoaded)
      this.reindex(facts, impact);
    if (
      event.type === EventTypes.ConsignmentRegistered ||
      event.type === EventTypes.DeliveryRecorded ||
      event.type === EventTypes.CustodyTransferred
    )
      for (const c of this.documents.update(facts)) impact.consignments.add(c);
    return impact;
  }

  /** Keeps exemption membership, carrier vessels and cumulative quantities in step with a consignment. */
  private reindex(facts: ConsignmentFacts, impact: Impact): void {
    const c = facts.consignmentId;
    const registration = registrationOf(facts);
    const previous = this.memberOf.get(c);
    const next = registration?.exemptionId;
    if (previous !== undefined && previous !== next) this.members.get(previous)?.delete(c);
    if (next !== undefined) {
      this.memberOf.set(c, next);
      let set = this.members.get(next);
      if (!set) this.members.set(next, (set = new Set()));
      set.add(c);
    }
    for (const e of new Set([previous, next])) {
      if (e === undefined) continue;
      const moves = this.ledger(e).put(c, e === next ? ledgerLineOf(facts, e) : undefined);
      if (moves.length > 0) impact.ledgers.set(e, [...(impact.ledgers.get(e) ?? []), ...moves]);
    }
    const vessels = [registration?.vessel.mmsi, ...[...facts.loads.values()].map((l) => l.vesselMmsi)];
    for (const mmsi of vessels) {
      if (!mmsi) continue;
      let set = this.carriers.get(mmsi);
      if (!set) this.carriers.set(mmsi, (set = new Set()));
      set.add(c);
    }
  }
}
