import { eventTimeOf } from '@aidwatch/detection';
import type { AidEvent, CloudEvent } from '@aidwatch/domain';
import { consignmentEvents } from './demo-consignments';
import { referenceEvents, Vessels } from './demo-reference';
import { voyageEvents } from './demo-voyages';

/** Who is who in the demo: the ids worth a look in the API, and what the scenario tests check. */
export const DemoCast = {
  carrier: Vessels.ryongSong5.mmsi,
  designatedPartner: Vessels.yuSon8.mmsi,
  carriedConsignment: 'CSG-2026-0109',
  /** Leaves its declared route with CSG-2026-0401 and CSG-2026-0402 on board. */
  detouringCarrier: Vessels.kapitanSokolov.mmsi,
  cleanConsignments: [
    'CSG-2026-0101',
    'CSG-2026-0102',
    'CSG-2026-0103',
    'CSG-2026-0104',
    'CSG-2026-0201',
    'CSG-2026-0203',
    'CSG-2026-0301',
    'CSG-2026-0305',
    'CSG-2026-0403',
    'CSG-2026-0502',
  ],
} as const;

/**
 * A year of aid to the DPRK under five 1718 Committee exemptions (WFP, UNICEF, FAO, WHO and an NGO): twenty
 * consignments from Dalian, Dandong and Vladivostok to Nampo, Chongjin and Hungnam, most of them clean, and
 * the AIS tracks of six ships. Planted problems raise every rule: every diversion rule and, at sea, an AIS
 * gap, an encounter with a designated vessel, loitering, a draught change, an identity change (the
 * designated vessel renamed) and a route deviation (a carrier 70 nm off its declared route). The log runs into October, well past
 * the moments the time-based rules judge (overdue visits, delivered totals), so they have all been judged.
 *
 * Events come in event-time order (time of the fact, then id). Deterministic: no wall clock, no Math.random.
 */
export function demoScenario(): CloudEvent[] {
  const events: AidEvent[] = [...referenceEvents(), ...consignmentEvents(), ...voyageEvents()];
  const keyed = events.map((event) => ({ event, at: eventTimeOf(event) }));
  keyed.sort((a, b) => a.at - b.at || (a.event.id < b.event.id ? -1 : a.event.id > b.event.id ? 1 : 0));
  return keyed.map((k) => k.event);
}
