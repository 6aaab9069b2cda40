import { createHash } from 'node:crypto';
import {
  EventTypes,
  type AidEvent,
  type CloudEvent,
  type ItemQuantity,
  type LatLon,
  type VerificationFinding,
} from '@aidwatch/domain';
import { defaultPorts, SeaLanes } from '@aidwatch/maritime';
import { Exemptions, Sites, type DemoVessel, type ExemptionKey, type SiteKey } from './demo-reference';

export type Quantities = Record<string, number>;

/** The offices of an implementing organisation that report on its consignments. */
export interface Agency {
  logistics: string;
  field: string;
  monitoring: string;
}

export const agency = (org: string): Agency => ({
  logistics: `/org/${org}/logistics/dprk`,
  field: `/org/${org}/field/dprk`,
  monitoring: `/org/${org}/monitoring/dprk`,
});

export interface ConsignmentPlan {
  consignmentId: string;
  exemption: ExemptionKey;
  agency: Agency;
  billOfLading: string;
  originPort: string;
  destinationPort: string;
  vessel: DemoVessel;
  registeredAt: string;
  items: Quantities;
  /** Units of items the exemption does not list (it names the units of the rest). */
  extraUnits?: Record<string, string>;
  route?: LatLon[];
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const plus = (at: string, minutes: number): string =>
  new Date(Date.parse(at) + minutes * 60_000).toISOString();

const itemsOf = (quantities: Quantities): ItemQuantity[] =>
  Object.entries(quantities).map(([itemCode, quantity]) => ({ itemCode, quantity }));

/** A small offset (metres) so recorded positions look like phone GPS fixes, not copied site coordinates. */
const near = (key: SiteKey, northM: number, eastM: number): LatLon => {
  const s = Sites[key];
  return {
    lat: Math.round((s.lat + northM / 111_320) * 1e5) / 1e5,
    lon: Math.round((s.lon + eastM / (111_320 * Math.cos((s.lat * Math.PI) / 180))) * 1e5) / 1e5,
  };
};

export interface DeliveryOptions {
  receivedBy?: string;
  /** The goods-received note, by default one of its own. */
  note?: string;
  /** Where the handheld recorded the delivery, if not at the site. */
  at?: LatLon;
}

export interface VisitOptions {
  finding?: VerificationFinding;
  beneficiaries?: number;
  monitorId?: string;
}

/**
 * Writes one consignment's life as contract events: each call adds the next fact. Envelope times trail the
 * facts a little (paperwork is filed after the event); detection works on the facts' own times.
 */
export class ConsignmentStory {
  readonly events: AidEvent[] = [];
  private deliveries = 0;
  private visits = 0;
  private handovers = 0;
  private denials = 0;

  constructor(readonly plan: ConsignmentPlan) {
    const { consignmentId, exemption, billOfLading, originPort, destinationPort, vessel, items, route } =
      plan;
    const units = new Map(Exemptions[exemption].items.map((i) => [i.itemCode, i.unit]));
    this.push(EventTypes.ConsignmentRegistered, plan.agency.logistics, 'registered', plan.registeredAt, 0, {
      consignmentId,
      exemptionId: Exemptions[exemption].exemptionId,
      billOfLading,
      items: Object.entries(items).map(([itemCode, quantity]) => ({
        itemCode,
        quantity,
        unit: units.get(itemCode) ?? plan.extraUnits?.[itemCode] ?? 'unit',
      })),
      originPort,
      destinationPort,
      vessel: { mmsi: vessel.mmsi, imo: vessel.imo, name: vessel.name },
      ...(route ? { route } : {}),
    });
  }

  get id(): string {
    return this.plan.consignmentId;
  }

  loaded(at: string, items: Quantities = this.plan.items): this {
    const { consignmentId, originPort, vessel } = this.plan;
    return this.push(EventTypes.ConsignmentLoaded, this.plan.agency.logistics, 'loaded', at, 20, {
      consignmentId,
      port: originPort,
      vesselMmsi: vessel.mmsi,
      items: itemsOf(items),
      at,
    });
  }

  departed(at: string): this {
    const { consignmentId, originPort } = this.plan;
    return this.push(EventTypes.ConsignmentDeparted, this.plan.agency.logistics, 'departed', at, 15, {
      consignmentId,
      port: originPort,
      at,
    });
  }

  arrived(at: string): this {
    const { consignmentId, destinationPort } = this.plan;
    return this.push(EventTypes.ConsignmentArrived, this.plan.agency.logistics, 'arrived', at, 30, {
      consignmentId,
      port: destinationPort,
      at,
    });
  }

  discharged(at: string, items: Quantities): this {
    const { consignmentId, destinationPort } = this.plan;
    return this.push(EventTypes.ConsignmentDischarged, this.plan.agency.logistics, 'discharged', at, 60, {
      consignmentId,
      port: destinationPort,
      items: itemsOf(items),
      at,
    });
  }

  handedOver(at: string, from: string, to: string, items: Quantities): this {
    const n = ++this.handovers;
    return this.push(EventTypes.CustodyTransferred, this.plan.agency.logistics, `handover-${n}`, at, 90, {
      consignmentId: this.id,
      from,
      to,
      items: itemsOf(items),
      documentHash: sha256(`waybill ${this.id}/${n}`),
      at,
    });
  }

  delivered(at: string, site: SiteKey, items: Quantities, options: DeliveryOptions = {}): this {
    const n = ++this.deliveries;
    const where = options.at ?? near(site, 40 + 15 * n, -25 * n);
    return this.push(EventTypes.DeliveryRecorded, this.plan.agency.field, `delivery-${n}`, at, 180, {
      deliveryId: `DLV-${this.id.slice(4)}-${n}`,
      consignmentId: this.id,
      siteId: Sites[site].siteId,
      lat: where.lat,
      lon: where.lon,
      items: itemsOf(items),
      receivedBy: options.receivedBy ?? `Storekeeper, ${Sites[site].name}`,
      documentHash: sha256(options.note ?? `goods received note ${this.id}/${n}`),
      at,
    });
  }

  verified(at: string, site: SiteKey, observed: Quantities, options: VisitOptions = {}): this {
    const n = ++this.visits;
    const where = near(site, -30 - 10 * n, 35);
    return this.push(EventTypes.VerificationReported, this.plan.agency.monitoring, `visit-${n}`, at, 360, {
      verificationId: `VER-${this.id.slice(4)}-${n}`,
      consignmentId: this.id,
      siteId: Sites[site].siteId,
      monitorId: options.monitorId ?? monitorOf(this.plan.exemption),
      lat: where.lat,
      lon: where.lon,
      observed: itemsOf(observed),
      ...(options.beneficiaries !== undefined ? { beneficiaries: options.beneficiaries } : {}),
      finding: options.finding ?? 'consistent',
      evidence: [sha256(`photos ${this.id}/${n}`), sha256(`distribution register ${this.id}/${n}`)],
      at,
    });
  }

  denied(at: string, site: SiteKey, reason: string): this {
    const n = ++this.denials;
    return this.push(EventTypes.AccessDenied, this.plan.agency.monitoring, `denied-${n}`, at, 240, {
      consignmentId: this.id,
      siteId: Sites[site].siteId,
      monitorId: monitorOf(this.plan.exemption),
      reason,
      at,
    });
  }

  private push(
    type: AidEvent['type'],
    source: string,
    step: string,
    at: string,
    filedAfterMinutes: number,
    data: unknown,
  ): this {
    const event: CloudEvent = {
      specversion: '1.0',
      id: `${this.id}/${step}`,
      source,
      type,
      subject: this.id,
      time: plus(at, filedAfterMinutes),
      datacontenttype: 'application/json',
      data,
    };
    this.events.push(event as AidEvent);
    return this;
  }
}

const lanes = new SeaLanes(defaultPorts());

/** A consignment whose registration declares the sea lane between its ports as its route. */
export function consignmentStory(plan: Omit<ConsignmentPlan, 'route'>): ConsignmentStory {
  const route = (lanes.lane(plan.originPort, plan.destinationPort) ?? []).map(([lon, lat]) => ({
    lat: Math.round(lat * 1e4) / 1e4,
    lon: Math.round(lon * 1e4) / 1e4,
  }));
  return new ConsignmentStory({ ...plan, route });
}

const monitorOf = (exemption: ExemptionKey): string =>
  ({
    wfp: 'MON-WFP-017',
    unicef: 'MON-UNI-004',
    fao: 'MON-FAO-011',
    who: 'MON-WHO-002',
    water: 'MON-KWP-001',
  })[exemption];
