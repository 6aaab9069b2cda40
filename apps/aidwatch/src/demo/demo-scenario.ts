import { createHash } from 'node:crypto';
import { EventTypes, type CloudEvent } from '@aidwatch/domain';

const SOURCE = 'aidwatch/demo';
const day = (n: number, hour = 8): string => new Date(Date.UTC(2026, 8, 1 + n, hour)).toISOString();

let counter = 0;
function event(type: string, subject: string, time: string, data: Record<string, unknown>): CloudEvent {
  counter += 1;
  return { specversion: '1.0', id: `demo-${String(counter).padStart(5, '0')}`, source: SOURCE, type, subject, time, data };
}

const exemptions = [
  {
    exemptionId: 'EX-2026-014',
    committeeRef: '1718/EX/2026/014',
    projectTitle: 'Nutrition support for children under five, South Hwanghae',
    implementingOrg: 'WFP',
    items: [
      { itemCode: 'RUTF', hsCode: '2106.90', description: 'Ready-to-use therapeutic food', quantity: 60000, unit: 'kg' },
      { itemCode: 'FBF', hsCode: '1904.90', description: 'Fortified blended food', quantity: 120000, unit: 'kg' },
    ],
    sites: [
      { siteId: 'S-12', name: 'Haeju Children’s Nursery 3', lat: 38.04, lon: 125.71, radiusKm: 2 },
      { siteId: 'S-14', name: 'Ongjin County Hospital', lat: 37.93, lon: 125.36, radiusKm: 2 },
    ],
  },
  {
    exemptionId: 'EX-2026-021',
    committeeRef: '1718/EX/2026/021',
    projectTitle: 'Routine immunisation cold chain, North Hamgyong',
    implementingOrg: 'UNICEF',
    items: [
      { itemCode: 'VAC-MR', hsCode: '3002.41', description: 'Measles-rubella vaccine', quantity: 400000, unit: 'doses' },
    ],
    sites: [{ siteId: 'S-31', name: 'Chongjin Provincial Hospital', lat: 41.79, lon: 129.78, radiusKm: 3 }],
  },
];

interface Story {
  id: string;
  exemptionId: string;
  bill: string;
  mmsi: string;
  vessel: string;
  item: string;
  unit: string;
  loaded: number;
  discharged: number;
  delivered: number;
  site: { siteId: string; lat: number; lon: number };
  start: number;
  verify: 'consistent' | 'access-denied' | 'none';
}

const stories: Story[] = [
  // Clean: every step within tolerance, verified as consistent.
  { id: 'C-1001', exemptionId: 'EX-2026-014', bill: 'DLCNAM26090101', mmsi: '413201780', vessel: 'HUA YANG 7', item: 'FBF', unit: 'kg', loaded: 40000, discharged: 39920, delivered: 39900, site: { siteId: 'S-14', lat: 37.931, lon: 125.362 }, start: 0, verify: 'consistent' },
  // Shrinkage: 9,600 kg discharged, 8,400 kg delivered.
  { id: 'C-1002', exemptionId: 'EX-2026-014', bill: 'DLCNAM26090502', mmsi: '445102000', vessel: 'RYONG GANG 2', item: 'RUTF', unit: 'kg', loaded: 9600, discharged: 9600, delivered: 8400, site: { siteId: 'S-12', lat: 38.041, lon: 125.712 }, start: 4, verify: 'consistent' },
  // Monitors denied access at the delivery site.
  { id: 'C-1003', exemptionId: 'EX-2026-021', bill: 'VVOCHO26091003', mmsi: '273451200', vessel: 'SVETLAYA', item: 'VAC-MR', unit: 'doses', loaded: 150000, discharged: 150000, delivered: 149800, site: { siteId: 'S-31', lat: 41.792, lon: 129.781 }, start: 9, verify: 'access-denied' },
];

function storyEvents(s: Story): CloudEvent[] {
  const c = s.id;
  const items = (quantity: number) => [{ itemCode: s.item, quantity }];
  const origin = s.exemptionId === 'EX-2026-021' ? 'RUVVO' : 'CNDLC';
  const destination = s.exemptionId === 'EX-2026-021' ? 'KPCHO' : 'KPNAM';
  const out: CloudEvent[] = [
    event(EventTypes.ConsignmentRegistered, c, day(s.start), {
      consignmentId: c,
      exemptionId: s.exemptionId,
      billOfLading: s.bill,
      items: [{ itemCode: s.item, quantity: s.loaded, unit: s.unit }],
      originPort: origin,
      destinationPort: destination,
      vessel: { mmsi: s.mmsi, name: s.vessel },
    }),
    event(EventTypes.ConsignmentLoaded, c, day(s.start + 1), {
      consignmentId: c, port: origin, vesselMmsi: s.mmsi, items: items(s.loaded), at: day(s.start + 1),
    }),
    event(EventTypes.ConsignmentDeparted, c, day(s.start + 1, 18), { consignmentId: c, port: origin, at: day(s.start + 1, 18) }),
    event(EventTypes.ConsignmentArrived, c, day(s.start + 4), { consignmentId: c, port: destination, at: day(s.start + 4) }),
    event(EventTypes.ConsignmentDischarged, c, day(s.start + 5), {
      consignmentId: c, port: destination, items: items(s.discharged), at: day(s.start + 5),
    }),
    event(EventTypes.DeliveryRecorded, c, day(s.start + 8), {
      deliveryId: `D-${c}-1`, consignmentId: c, siteId: s.site.siteId, lat: s.site.lat, lon: s.site.lon,
      items: items(s.delivered), receivedBy: 'site storekeeper', documentHash: hashOf(`${c}-delivery`), at: day(s.start + 8),
    }),
  ];
  if (s.verify === 'consistent') {
    out.push(
      event(EventTypes.VerificationReported, c, day(s.start + 15), {
        verificationId: `V-${c}-1`, consignmentId: c, siteId: s.site.siteId, monitorId: 'M-07',
        lat: s.site.lat, lon: s.site.lon, observed: items(s.delivered), beneficiaries: 1200, finding: 'consistent',
        at: day(s.start + 15),
      }),
    );
  } else if (s.verify === 'access-denied') {
    out.push(
      event(EventTypes.AccessDenied, c, day(s.start + 15), {
        consignmentId: c, siteId: s.site.siteId, monitorId: 'M-11', reason: 'Visit cancelled by local counterpart: "road closed"',
        at: day(s.start + 15),
      }),
    );
  }
  return out;
}

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The demo scenario: two exempted projects, clean and problematic consignments, in event-time order. */
export function demoScenario(): CloudEvent[] {
  counter = 0;
  const reference = exemptions.map((x) =>
    event(EventTypes.ExemptionGranted, x.exemptionId, day(-30), { ...x, validFrom: day(-30), validUntil: day(300) }),
  );
  const facts = stories.flatMap(storyEvents).sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id));
  return [...reference, ...facts];
}
