import { storeEventId, streamOf, type AidEvent, type Flag } from '@aidwatch/domain';
import {
  consignmentDischarged,
  consignmentLoaded,
  consignmentRegistered,
  deliveryRecorded,
  exemptionGranted,
  SampleIds,
  verificationReported,
  vesselPosition,
} from '@aidwatch/domain/testing';
import type { EventStore } from '@aidwatch/event-store';
import { flagRaisedEvent, flagWrites } from '@aidwatch/projections';

/** Appends facts as the intake does: one stream per subject, the id derived from source + id. */
export async function appendFacts(store: EventStore, events: readonly AidEvent[]): Promise<void> {
  for (const event of events)
    await store.append(streamOf(event), [{ id: storeEventId(event), type: event.type, data: event }]);
}

/** The sample consignment's story: granted, registered, loaded, a position at sea, discharged, delivered, verified. */
export const auditStory = (): AidEvent[] => [
  exemptionGranted(),
  consignmentRegistered(),
  consignmentLoaded(),
  vesselPosition({ id: 'pos-at-sea', data: { at: '2024-03-06T06:00:00Z' } }),
  vesselPosition({ id: 'pos-long-before', data: { at: '2023-01-01T00:00:00Z' } }),
  consignmentDischarged(),
  deliveryRecorded(),
  verificationReported({ data: { monitorId: SampleIds.monitorId } }),
];

/** A flag on the sample consignment, as the detector writes it. */
export async function raiseFlag(store: EventStore, overrides: Partial<Flag> = {}): Promise<void> {
  const flag: Flag = {
    flagId: 'flag-1',
    rule: 'monitor-finding',
    severity: 'high',
    subject: { kind: 'consignment', id: SampleIds.consignmentId },
    consignmentIds: [SampleIds.consignmentId],
    observed: {},
    threshold: {},
    evidence: [],
    explanation: 'The monitor found less than delivered.',
    raisedAt: '2024-04-02T10:00:00Z',
    fingerprint: 'f1',
    ...overrides,
  } as Flag;
  await store.appendMany(flagWrites([flagRaisedEvent(flag)]));
}
