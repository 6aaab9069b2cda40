import { EventTypes, StreamNames, type AidEvent } from '@aidwatch/domain';
import type { EventStore, StoredEvent } from '@aidwatch/event-store';
import { comparePositions } from './store-reading';

/** Everything that touched one consignment, in store order, and which of its streams are only partly in it. */
export interface ConsignmentTrail {
  consignmentId: string;
  events: StoredEvent[];
  /** Streams of which only some events touched the consignment (the vessel's, the vessel's risk stream). */
  partialStreams: string[];
}

const eventTime = (event: AidEvent): number => Date.parse((event.data as { at?: string }).at ?? event.time);

/**
 * A consignment's own events (with its deliveries and verifications), its exemption's, the flags raised or
 * cleared on it (vessel flags that name it included) and its vessel's events while the consignment was on
 * board: from its first loading to its last discharge, by event time (still on board: no end).
 */
export async function consignmentTrail(store: EventStore, consignmentId: string): Promise<ConsignmentTrail> {
  const own = await store.readStream(StreamNames.consignment(consignmentId));
  const facts = own.map((e) => e.data as AidEvent);
  let exemptionId: string | undefined;
  let mmsi: string | undefined;
  let loadedFrom = Infinity;
  let dischargedAt = -Infinity;
  let discharged = false;
  for (const event of facts) {
    if (event.type === EventTypes.ConsignmentRegistered) {
      exemptionId = event.data.exemptionId;
      mmsi = event.data.vessel.mmsi;
    } else if (event.type === EventTypes.ConsignmentLoaded) {
      mmsi ??= event.data.vesselMmsi;
      loadedFrom = Math.min(loadedFrom, eventTime(event));
    } else if (event.type === EventTypes.ConsignmentDischarged) {
      discharged = true;
      dischargedAt = Math.max(dischargedAt, eventTime(event));
    }
  }
  const parts: StoredEvent[][] = [own, await store.readStream(`risk-consignment-${consignmentId}`)];
  if (exemptionId) parts.push(await store.readStream(StreamNames.exemption(exemptionId)));
  const partialStreams: string[] = [];
  if (mmsi) {
    const vesselRisk = `risk-vessel-${mmsi}`;
    const namesIt = new Set<string>();
    parts.push(
      (await store.readStream(vesselRisk)).filter((e) => {
        const flag = (e.data as { data: { flagId: string; consignmentIds?: string[] } }).data;
        if (flag.consignmentIds?.includes(consignmentId)) namesIt.add(flag.flagId);
        return namesIt.has(flag.flagId);
      }),
    );
    if (Number.isFinite(loadedFrom)) {
      const until = discharged ? dischargedAt : Infinity;
      parts.push(
        (await store.readStream(StreamNames.vessel(mmsi))).filter((e) => {
          const time = eventTime(e.data as AidEvent);
          return time >= loadedFrom && time <= until;
        }),
      );
    }
    partialStreams.push(vesselRisk, StreamNames.vessel(mmsi));
  }
  const events = parts.flat().sort((a, b) => comparePositions(a.position, b.position));
  return { consignmentId, events, partialStreams };
}
